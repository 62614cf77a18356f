using Actors.Grains.Options;
using Actors.Grains.Policies;
using Actors.Grains.Services;
using Actors.Learning.Bandits;
using Actors.Learning.Evaluation;
using Actors.Learning.Policies;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Evaluation;

/// <summary>What a policy would have earned on the logged decisions, beside what the logging policies earned.</summary>
/// <param name="N">Decisions evaluated.</param>
/// <param name="LoggingValue">Mean observed reward of the served tips over those decisions; null with none.</param>
/// <param name="Ips">Null, like the other estimates, when there is no decision to evaluate.</param>
public sealed record PolicyEvaluation(string Policy, int N, double? LoggingValue, Estimate? Ips, Estimate? Snips, Estimate? DoublyRobust);

/// <summary>
/// Off-policy evaluation of any registered policy from the decision log, by progressive replay: each user's
/// decisions are replayed in time order, and the evaluated policy decides each one from models that have
/// learned only from that user's rewards before it, then learns the decision's rewards, as the grain would
/// have. So the estimate is the value of the policy as it would have learned from the same data, not of a
/// frozen model; decisions before the replayed window are not learned from, so every user starts fresh.
/// </summary>
public sealed class OfflineEvaluator(
    IEventStore store,
    PolicyCatalog policies,
    IOptions<BanditOptions> bandit,
    IOptions<RewardOptions> rewards,
    IOptions<EvaluationOptions> options)
{
    /// <summary>Fixed, so the same log gives the same answer (policies that sample, and the bootstrap, draw from it).</summary>
    public const int Seed = 4242;

    /// <summary>Evaluates the named policy on the latest rewarded decisions; throws <see cref="KeyNotFoundException"/> for a name not configured.</summary>
    public async Task<PolicyEvaluation> EvaluateAsync(string policyName, CancellationToken cancellationToken)
    {
        var policy = policies[policyName];
        var log = await store.ReadRewardedDecisionsAsync(options.Value.MaxDecisions, cancellationToken);
        var random = new Random(Seed);
        var outcomes = Replay(policy, log, rewards.Value, bandit.Value.ToLinUcbOptions(), random, cancellationToken);
        return Summarize(policy.Name, outcomes, options.Value.BootstrapResamples, random);
    }

    public static PolicyEvaluation Summarize(string policy, IReadOnlyList<LoggedOutcome> outcomes, int resamples, Random random)
    {
        if (outcomes.Count == 0) return new PolicyEvaluation(policy, 0, null, null, null, null);
        return new PolicyEvaluation(
            policy,
            outcomes.Count,
            outcomes.Average(o => o.Reward),
            OffPolicy.WithInterval(outcomes, OffPolicy.Ips, resamples, random),
            OffPolicy.WithInterval(outcomes, OffPolicy.Snips, resamples, random),
            OffPolicy.WithInterval(outcomes, OffPolicy.DoublyRobust, resamples, random));
    }

    /// <summary>
    /// The logged outcome of every decision whose served tip can still be resolved, user by user in time
    /// order, with the evaluated policy's probabilities from the models as they stood before that decision.
    /// </summary>
    public static List<LoggedOutcome> Replay(
        IPolicy policy, IEnumerable<RewardedDecision> log, RewardOptions rewards, LinUcbOptions ridge, Random random,
        CancellationToken cancellationToken = default)
    {
        var outcomes = new List<LoggedOutcome>();
        // Users one at a time: only one user's models are alive at once, whatever the size of the window.
        foreach (var user in log.GroupBy(d => d.Decision.UserId, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var models = new PolicyModels(new LinUcb(ridge));
            foreach (var logged in user.OrderBy(d => d.Decision.CreatedAtMs).ThenBy(d => d.Decision.RequestId, StringComparer.Ordinal))
            {
                if (Outcome(policy, models, logged, rewards, random) is { } outcome) outcomes.Add(outcome);
                Learn(models, logged, rewards);
            }
        }
        return outcomes;
    }

    /// <summary>
    /// The decision as the estimators see it, or null when it cannot be weighed: its served tip was deleted
    /// from the catalog since, or its logged probability is not positive. The reward is the user's last word
    /// on the served tip. The doubly robust reward model is the same pre-decision ridge model, clamped to
    /// the range rewards can take.
    /// </summary>
    private static LoggedOutcome? Outcome(IPolicy policy, PolicyModels models, RewardedDecision logged, RewardOptions rewards, Random random)
    {
        var decision = logged.Decision;
        if (decision.Candidates.Length == 0 || decision.Candidates[0].TipId != logged.ServedTipId || !(decision.Probabilities[0] > 0)) return null;
        var served = logged.Rewards.LastOrDefault(e => e.TipId == logged.ServedTipId && rewards.RewardFor(e.Kind) is not null);
        if (served is null) return null;

        var input = BanditScoring.InputFor(models, decision.ProfileFeatures, decision.Hour, decision.Candidates);
        var target = policy.Decide(input, random).Probabilities;
        var (low, high) = (Math.Min(rewards.Complete, rewards.Dismiss), Math.Max(rewards.Complete, rewards.Dismiss));
        var predicted = input.Means.Select(m => Math.Clamp(m, low, high)).ToArray();
        var expected = 0.0;
        for (var a = 0; a < predicted.Length; a++) expected += target[a] * predicted[a];
        return new LoggedOutcome(rewards.RewardFor(served.Kind)!.Value, decision.Probabilities[0], target[0], predicted[0], expected);
    }

    /// <summary>Every reward of the decision, on whichever candidate it names, as the grain credits it.</summary>
    private static void Learn(PolicyModels models, RewardedDecision logged, RewardOptions rewards)
    {
        foreach (var e in logged.Rewards)
        {
            if (rewards.RewardFor(e.Kind) is { } reward) BanditScoring.Credit(models, logged.Decision, e.TipId, reward);
        }
    }
}
