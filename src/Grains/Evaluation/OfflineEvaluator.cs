using Actors.Grains.Options;
using Actors.Grains.Policies;
using Actors.Grains.Services;
using Actors.Learning.Bandits;
using Actors.Learning.Evaluation;
using Actors.Learning.Policies;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Evaluation;

/// <summary>What a policy would have earned on the logged decisions, beside what the logging policies earned.</summary>
/// <param name="N">Decisions evaluated (the weighted estimates average over all of them).</param>
/// <param name="Accepted">Decisions the replay accepted: the evaluated policy would have served the logged tip, and learned its outcome.</param>
/// <param name="LoggingValue">Mean observed reward of the served tips over those decisions; null with none.</param>
/// <param name="Replay">The replay estimate of Li et al. (2011), the mean reward over the accepted decisions: the headline. Null, like the other estimates, when there is nothing to average.</param>
public sealed record PolicyEvaluation(
    string Policy, int N, int Accepted, double? LoggingValue, Estimate? Replay, Estimate? Ips, Estimate? Snips, Estimate? DoublyRobust)
{
    /// <summary>The estimate to read first: the one the end-to-end test checks against deployment.</summary>
    public const string Headline = "replay";
}

/// <summary>One replay pass: every decision as the weighted estimators see it, and the outcomes of those the replay accepted.</summary>
/// <param name="Users">Users with at least one evaluated decision.</param>
public sealed record ReplayLog(IReadOnlyList<LoggedOutcome> Outcomes, IReadOnlyList<LoggedOutcome> Accepted, int Users);

/// <summary>
/// Off-policy evaluation of any registered policy, learning ones included, by the replay method of Li, Chu,
/// Langford and Wang (2011). Each user's decisions are replayed in time order on models that start fresh;
/// the evaluated policy decides each one from the models as they stand, and the decision is ACCEPTED when the
/// policy would have served the logged tip. Only then does the policy see the outcome and learn it, as its
/// own grain would have had it served that tip. So a learning policy is credited only with what it would have
/// been shown, not with the exploration the logging policy paid for.
/// <para>
/// Li et al. assume uniform logging, where "the policy's draw equals the logged tip" is the acceptance test.
/// For any logging distribution p this generalises by rejection sampling: accept with probability
/// π(a)/(M·p(a)) for the logged tip a, with one bound M = max over the log of 1/p for every candidate's logged
/// probability, so π(a)/p(a) ≤ M everywhere. Then P(a, accepted | x) = π(a)/M: an accepted decision is
/// distributed as if the policy had served it, and every context is kept with the same chance 1/M. With
/// uniform logging over K candidates M = K and the chance is π(a), the same as drawing the policy's choice.
/// Candidates the logging policy never served (p = 0) cannot be accepted: a greedy logging policy biases this.
/// </para>
/// <para>
/// On the same pass, every decision also gets the evaluated policy's probability of the logged tip from the
/// models as they stand (for IPS, SNIPS and doubly robust), and the doubly robust reward model is the
/// policy's own ridge model as it stands.
/// </para>
/// </summary>
public sealed class OfflineEvaluator(
    IEventStore store,
    PolicyCatalog policies,
    IOptions<BanditOptions> bandit,
    BanditFeatureSet features,
    IOptions<RewardOptions> rewards,
    IOptions<EvaluationOptions> options)
{
    /// <summary>Fixed, so the same log gives the same answer (acceptance, policies that sample, and the bootstrap draw from it).</summary>
    public const int Seed = 4242;

    /// <summary>Evaluates the named policy on the latest rewarded decisions; throws <see cref="KeyNotFoundException"/> for a name not configured.</summary>
    public async Task<PolicyEvaluation> EvaluateAsync(string policyName, CancellationToken cancellationToken)
    {
        var policy = policies[policyName];
        var log = await store.ReadRewardedDecisionsAsync(options.Value.MaxDecisions, cancellationToken);
        var random = new Random(Seed);
        var replay = Replay(policy, log, rewards.Value, bandit.Value.ToLinUcbOptions(), random, cancellationToken, features);
        return Summarize(policy.Name, replay, options.Value.BootstrapResamples, random);
    }

    public static PolicyEvaluation Summarize(string policy, ReplayLog replay, int resamples, Random random)
    {
        var (outcomes, accepted) = (replay.Outcomes, replay.Accepted);
        if (outcomes.Count == 0) return new PolicyEvaluation(policy, 0, 0, null, null, null, null, null);
        return new PolicyEvaluation(
            policy,
            outcomes.Count,
            accepted.Count,
            outcomes.Average(o => o.Reward),
            accepted.Count == 0 ? null : OffPolicy.WithInterval(accepted, OffPolicy.Mean, resamples, random),
            OffPolicy.WithInterval(outcomes, OffPolicy.Ips, resamples, random),
            OffPolicy.WithInterval(outcomes, OffPolicy.Snips, resamples, random),
            OffPolicy.WithInterval(outcomes, OffPolicy.DoublyRobust, resamples, random));
    }

    /// <summary>
    /// The replay: users in id order, each user's decisions in time order, each decided on by the policy from
    /// the models as they stand, accepted or not, and learned from only when accepted.
    /// </summary>
    public static ReplayLog Replay(
        IPolicy policy, IEnumerable<RewardedDecision> log, RewardOptions rewards, LinUcbOptions ridge, Random random,
        CancellationToken cancellationToken = default, BanditFeatureSet? features = null)
    {
        var usable = log.Select(logged => (Logged: logged, Reward: OutcomeOf(logged, rewards)))
            .Where(d => d.Reward is not null)
            .ToArray();
        var bound = AcceptanceBound(usable.Select(d => d.Logged.Decision));
        var outcomes = new List<LoggedOutcome>();
        var accepted = new List<LoggedOutcome>();
        var users = 0;
        // Users one at a time, in id order so the seeded draws do not depend on the store's order: only one
        // user's models are alive at once, whatever the size of the window.
        foreach (var user in usable.GroupBy(d => d.Logged.Decision.UserId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            users++;
            // Fresh, without the population prior: the prior was estimated from this same log (its future included),
            // so starting from it would credit the policy with what it could not have known yet.
            var models = new PolicyModels(new LinUcb(ridge), features: features);
            foreach (var (logged, reward) in user.OrderBy(d => d.Logged.Decision.CreatedAtMs).ThenBy(d => d.Logged.Decision.RequestId, StringComparer.Ordinal))
            {
                var decision = logged.Decision;
                var input = BanditScoring.InputFor(models, decision.ProfileFeatures, decision.Hour, decision.Candidates);
                var target = policy.Decide(input, random).Probabilities;
                var outcome = Weighed(input, target, decision.Probabilities[0], reward!.Value, rewards);
                outcomes.Add(outcome);
                // The served tip is candidate 0: acceptance with chance π(a)/(M·p(a)), at most 1 up to rounding.
                if (random.NextDouble() < target[0] / (bound * decision.Probabilities[0]))
                {
                    accepted.Add(outcome);
                    BanditScoring.Credit(models, decision, logged.ServedTipId, reward.Value);
                }
            }
        }
        return new ReplayLog(outcomes, accepted, users);
    }

    /// <summary>
    /// The reward the decision's served tip got, or null when the decision cannot be replayed: its served tip was
    /// deleted from the catalog since, or its logged probability is not positive. The outcome is the user's
    /// FIRST reward on the served tip: what the serving grain learned at once, before any change of mind.
    /// </summary>
    private static double? OutcomeOf(RewardedDecision logged, RewardOptions rewards)
    {
        var decision = logged.Decision;
        if (decision.Candidates.Length == 0 || decision.Candidates[0].TipId != logged.ServedTipId || !(decision.Probabilities[0] > 0)) return null;
        return logged.Rewards.Where(e => e.TipId == logged.ServedTipId).Select(e => rewards.RewardFor(e.Kind)).FirstOrDefault(r => r is not null);
    }

    /// <summary>M of the rejection sampling: the largest 1/p over every positive logged probability of every candidate.</summary>
    private static double AcceptanceBound(IEnumerable<DecisionRecord> decisions)
    {
        var smallest = 1.0;
        foreach (var decision in decisions)
        {
            foreach (var p in decision.Probabilities) if (p > 0 && p < smallest) smallest = p;
        }
        return 1 / smallest;
    }

    /// <summary>The decision as the weighted estimators see it; the reward model is the policy's ridge model as it stands, clamped to the range rewards can take.</summary>
    private static LoggedOutcome Weighed(PolicyInput input, double[] target, double loggingProbability, double reward, RewardOptions rewards)
    {
        var (low, high) = (Math.Min(rewards.Complete, rewards.Dismiss), Math.Max(rewards.Complete, rewards.Dismiss));
        var predicted = input.Means.Select(m => Math.Clamp(m, low, high)).ToArray();
        var expected = 0.0;
        for (var a = 0; a < predicted.Length; a++) expected += target[a] * predicted[a];
        return new LoggedOutcome(reward, loggingProbability, target[0], predicted[0], expected);
    }
}
