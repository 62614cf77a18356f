using Actors.Gateway.Json;
using Actors.Grains.Options;
using Actors.Grains.Policies;
using Actors.Learning.Experiments;
using Actors.Silo;
using Actors.Silo.EventStore;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Actors.Gateway.Apis;

/// <summary>
/// GET /admin/experiments lists the configured experiments; GET /admin/experiments/{name} gives the users
/// and rewards per variant with 95 % intervals, and a sample-ratio-mismatch check of the split.
/// </summary>
public static class ExperimentsApi
{
    /// <summary>Below this p-value the split is reported broken: strict, as SRM checks run continuously.</summary>
    public const double MismatchPValue = 0.001;

    public static IEndpointRouteBuilder MapExperimentsApi(this IEndpointRouteBuilder app)
    {
        var experiments = app.MapGroup("/admin/experiments").WithTags("Admin");
        experiments.MapGet("/", List).WithName("ListExperiments").WithSummary("The configured experiments, their variants and weights.");
        experiments.MapGet("/{name}", GetAsync).WithName("GetExperiment")
            .WithSummary("Users and reward per variant with 95 % intervals, and the sample-ratio-mismatch p-value.");
        return app;
    }

    public static Ok<List<ExperimentSummaryResponse>> List(ExperimentPlan plan) => TypedResults.Ok(plan.Definitions
        .OrderBy(e => e.Key, StringComparer.Ordinal)
        .Select(e => new ExperimentSummaryResponse(e.Key, e.Value.Running, e.Value.Salt, e.Value.Holdout,
            e.Value.Variants.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new VariantConfigResponse(v.Key, v.Value.Policy, v.Value.Weight)).ToArray()))
        .ToList());

    public static async Task<Results<Ok<ExperimentResponse>, ProblemHttpResult>> GetAsync(
        string name, ExperimentPlan plan, PolicyRollout rollout, IOptions<StorageOptions> storage, IOptions<RewardOptions> rewards)
    {
        if (!plan.Definitions.TryGetValue(name, out var definition))
        {
            return Validation.Problem(StatusCodes.Status404NotFound, "name", $"No experiment '{name}' is configured; GET /admin/experiments lists them.");
        }
        var (assignments, outcomes) = await new ExperimentAnalytics(storage.Value.EventDatabasePath).ReadAsync(name);
        var live = (await rollout.CurrentAsync()).Live.Name;
        var split = RunningExperiment.WeightsOf(definition);
        var current = assignments.Where(a => a.Salt == definition.Salt && a.Weights == split).ToArray();

        // The shares the current split promises: the holdout first, the variants by weight in what remains.
        var totalWeight = definition.Variants.Values.Sum(v => v.Weight);
        var shares = definition.Variants.ToDictionary(v => v.Key, v => (1 - definition.Holdout) * v.Value.Weight / totalWeight, StringComparer.Ordinal);
        if (definition.Holdout > 0) shares[PolicyOptionsValidator.HoldoutVariant] = definition.Holdout;
        var groups = shares.Keys.Order(StringComparer.Ordinal).ToArray();
        var observed = groups.Select(g => current.Where(a => a.Variant == g).Sum(a => a.Users)).ToArray();
        var pValue = groups.Length >= 2 ? Assignment.SampleRatioPValue(observed, groups.Select(g => shares[g]).ToArray()) : 1;

        var variants = groups.Select(group =>
        {
            var outcome = outcomes.FirstOrDefault(o => o.Variant == group);
            var isHoldout = group == PolicyOptionsValidator.HoldoutVariant;
            var (mean, low, high) = MeanReward(outcome?.Completes ?? 0, outcome?.Dismisses ?? 0, rewards.Value);
            return new VariantResultResponse(
                group,
                isHoldout ? live : definition.Variants[group].Policy,
                isHoldout ? definition.Holdout : definition.Variants[group].Weight,
                assignments.Where(a => a.Variant == group).Sum(a => a.Users),
                outcome?.Decisions ?? 0,
                (outcome?.Completes ?? 0) + (outcome?.Dismisses ?? 0),
                outcome?.Completes ?? 0,
                outcome?.Dismisses ?? 0,
                mean, low, high);
        }).ToArray();

        return TypedResults.Ok(new ExperimentResponse(
            name,
            definition.Running,
            definition.Salt,
            definition.Holdout,
            variants,
            new SampleRatioResponse(observed.Sum(), shares, pValue, pValue < MismatchPValue),
            assignments.Sum(a => a.Users) - current.Sum(a => a.Users)));
    }

    /// <summary>
    /// The mean reward of the rewarded decisions and its 95 % interval. A decision's reward is one of two
    /// values (complete or dismiss), so the mean is an affine map of the completion share and the Wilson
    /// interval of that share maps onto it exactly.
    /// </summary>
    public static (double? Mean, double? Low, double? High) MeanReward(long completes, long dismisses, RewardOptions rewards)
    {
        var n = completes + dismisses;
        if (n == 0) return (null, null, null);
        var (low, high) = PromptAnalytics.WilsonInterval(completes, n);
        double Map(double share) => rewards.Dismiss + (rewards.Complete - rewards.Dismiss) * share;
        var (a, b) = (Map(low), Map(high));
        return (Map((double)completes / n), Math.Min(a, b), Math.Max(a, b));
    }
}
