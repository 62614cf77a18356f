using Actors.Abstractions;
using Actors.Grains.Services;
using Actors.Learning.Bandits;
using Actors.Learning.Policies;

namespace Actors.Grains;

/// <summary>What serves one request: the policy, the shadows beside it, and the experiment that chose it.</summary>
public sealed record ServingPlan(IPolicy Policy, IReadOnlyList<IPolicy> Shadows, string? Experiment = null, string? Variant = null);

/// <summary>The scoring math of one request, shared by the bandit grain, offline evaluation and the stateless benchmark baseline.</summary>
public static class BanditScoring
{
    /// <summary>The request's candidates by feature name, under the models' feature configuration.</summary>
    public static NamedBatch BuildBatch(BanditFeatureSet features, double[] profile, int hour, TipCandidate[] candidates)
    {
        var tips = new TipFeatures[candidates.Length];
        for (var i = 0; i < tips.Length; i++) tips[i] = candidates[i].BanditFeatures;
        return features.Build(profile, hour, tips);
    }

    /// <summary>The policies' view of a request: its candidates' features, resolved against the user's models, and tip ids.</summary>
    public static PolicyInput InputFor(PolicyModels models, double[] profile, int hour, TipCandidate[] candidates)
    {
        var tipIds = new string[candidates.Length];
        for (var i = 0; i < tipIds.Length; i++) tipIds[i] = candidates[i].TipId;
        var named = BuildBatch(models.Features, profile, hour, candidates);
        return new PolicyInput(models.Ridge.Resolve(named), tipIds, models, named);
    }

    /// <summary>
    /// Ranks the command's candidates: the serving policy's distribution picks the first, the rest follow
    /// by its values; each shadow decides too, for the log only. Returns the answer and the decision to log.
    /// </summary>
    public static (ScoreResult Result, DecisionRecord Decision) Score(
        PolicyModels models, ServingPlan plan, string userId, ScoreCommand command, double[] profile, Random random)
    {
        var candidates = command.Candidates;
        var input = InputFor(models, profile, command.Hour, candidates);
        var choice = plan.Policy.Decide(input, random);
        var ranking = Distributions.Sample(choice.Values, choice.Probabilities, random);

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

        ShadowDecision[]? shadows = null;
        if (plan.Shadows.Count > 0)
        {
            var servedIndex = ranking.Order[0];
            shadows = new ShadowDecision[plan.Shadows.Count];
            for (var s = 0; s < shadows.Length; s++)
            {
                var shadow = plan.Shadows[s].Decide(input, random).Probabilities;
                var pick = Distributions.SampleIndex(shadow, random);
                shadows[s] = new ShadowDecision(plan.Shadows[s].Name, candidates[pick].TipId, shadow[pick], shadow[servedIndex]);
            }
        }

        var decision = new DecisionRecord(
            command.RequestId, userId, plan.Policy.Name, command.Hour, profile, served, probabilities,
            command.AtMs, served[0].PromptVersion, plan.Experiment, plan.Variant, shadows);
        return (new ScoreResult(command.RequestId, plan.Policy.Name, ranked, profile, plan.Experiment, plan.Variant), decision);
    }

    /// <summary>
    /// Teaches the models a reward for the named candidate of a decision, with the features it was served with.
    /// Null when the decision did not offer that tip; else what the update did, and the vector it learned.
    /// </summary>
    public static (UpdateResult Result, NamedFeature[] Vector)? Credit(PolicyModels models, DecisionRecord decision, string tipId, double reward)
    {
        var index = Array.FindIndex(decision.Candidates, c => c.TipId == tipId);
        if (index < 0) return null;
        var vector = VectorOf(models.Features, decision, index);
        return (models.Learn(tipId, vector, reward), vector);
    }

    /// <summary>The full feature vector of one candidate of a logged decision, as it was when served, under <paramref name="features"/>.</summary>
    public static NamedFeature[] VectorOf(BanditFeatureSet features, DecisionRecord decision, int candidateIndex) =>
        BuildBatch(features, decision.ProfileFeatures, decision.Hour, [decision.Candidates[candidateIndex]]).FullVector(0);
}
