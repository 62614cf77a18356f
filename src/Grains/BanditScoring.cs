using Actors.Abstractions;
using Actors.Grains.Services;
using Actors.Learning.Bandits;

namespace Actors.Grains;

/// <summary>The scoring math of one request, shared by the bandit grain and the stateless benchmark baseline.</summary>
public static class BanditScoring
{
    public static CandidateBatch BuildBatch(double[] profile, in HourEncoding hour, TipCandidate[] candidates)
    {
        var shared = new SparseFeature[SharedFeatureBuilder.Length];
        SharedFeatureBuilder.Default.Write(shared, profile, hour);

        var offsets = new int[candidates.Length + 1];
        for (var i = 0; i < candidates.Length; i++) offsets[i + 1] = offsets[i] + candidates[i].BanditFeatures.Length;
        var items = new SparseFeature[offsets[^1]];
        for (var i = 0; i < candidates.Length; i++)
        {
            candidates[i].BanditFeatures.Write(items.AsSpan(offsets[i], offsets[i + 1] - offsets[i]), hour);
        }
        return new CandidateBatch(shared, items, offsets);
    }

    /// <summary>Ranks the command's candidates; returns the answer and the decision to log.</summary>
    public static (ScoreResult Result, DecisionRecord Decision) Score(
        IContextualBandit model, string userId, ScoreCommand command, double[] profile, Random random)
    {
        var candidates = command.Candidates;
        var ranking = model.Rank(BuildBatch(profile, HourEncoding.Of(command.Hour), candidates), random);

        var ranked = new RankedTip[candidates.Length];
        var served = new TipCandidate[candidates.Length];
        var probabilities = new double[candidates.Length];
        for (var position = 0; position < ranking.Order.Length; position++)
        {
            var index = ranking.Order[position];
            served[position] = candidates[index];
            probabilities[position] = ranking.Probabilities[index];
            ranked[position] = new RankedTip(candidates[index].TipId, ranking.Scores[index], probabilities[position]);
        }

        var decision = new DecisionRecord(
            command.RequestId, userId, model.PolicyName, command.Hour, profile, served, probabilities,
            command.AtMs, served[0].PromptVersion);
        return (new ScoreResult(command.RequestId, model.PolicyName, ranked, profile), decision);
    }

    /// <summary>The full feature vector of one candidate of a logged decision, as it was when served.</summary>
    public static SparseFeature[] VectorOf(DecisionRecord decision, int candidateIndex) =>
        BuildBatch(decision.ProfileFeatures, HourEncoding.Of(decision.Hour), [decision.Candidates[candidateIndex]]).FullVector(0);
}
