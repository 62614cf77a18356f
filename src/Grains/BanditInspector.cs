using Actors.Abstractions;
using Actors.Grains.Services;
using Actors.Learning.Policies;

namespace Actors.Grains;

/// <summary>The bandit grain's inspection, kept out of the grain: estimates through the policies' own input, and the remembered decisions.</summary>
public static class BanditInspector
{
    /// <summary>θᵀx and √(xᵀA⁻¹x) of each candidate, exactly as the contextual policies read them for a request at this hour.</summary>
    public static CandidateEstimate[] Estimate(PolicyModels models, double[] profile, int hour, TipCandidate[] candidates)
    {
        if (candidates.Length == 0) return [];
        var input = BanditScoring.InputFor(models, profile, hour, candidates);
        var means = input.Means;
        var variances = input.Variances;
        var estimates = new CandidateEstimate[candidates.Length];
        for (var i = 0; i < estimates.Length; i++)
        {
            // A⁻¹ is positive definite; rounding can still leave a tiny negative.
            estimates[i] = new CandidateEstimate(candidates[i].TipId, means[i], Math.Sqrt(Math.Max(0, variances[i])));
        }
        return estimates;
    }

    /// <summary>The latest remembered decisions, newest first.</summary>
    public static InspectedDecision[] Newest(IEnumerable<string> oldestFirst, IReadOnlyDictionary<string, DecisionRecord> byRequest, int limit) =>
        oldestFirst.Reverse()
            .Select(id => byRequest.GetValueOrDefault(id))
            .OfType<DecisionRecord>()
            .Take(limit)
            .Select(d => new InspectedDecision(
                d.RequestId, d.CreatedAtMs, d.Policy, d.Candidates[0].TipId, d.Probabilities[0], d.Hour, d.Candidates.Length, d.Experiment, d.Variant))
            .ToArray();
}
