using Actors.Abstractions;
using Actors.Grains.Evaluation;
using Actors.Grains.Options;
using Actors.Grains.Services;
using Actors.Learning.Bandits;
using Actors.Learning.Evaluation;
using Actors.Learning.Policies;
using Actors.Learning.Profile;

namespace Actors.Tests.Learning;

/// <summary>
/// The replay of <see cref="OfflineEvaluator"/> on synthetic logs held in memory: a logging policy (uniform
/// unless a test says otherwise) over four tips whose completion probabilities are set here, so the true
/// value of a uniform or a fixed target policy is known exactly. Seeded throughout, so each run is the same.
/// </summary>
public sealed class OfflineReplayTests
{
    private const int Users = 200, DecisionsPerUser = 20, Resamples = 400;
    private static readonly RewardOptions Rewards = new();
    private static readonly LinUcbOptions Ridge = new BanditOptions().ToLinUcbOptions();

    private static readonly TipCandidate[] Tips = new[] { "calm", "focus", "move", "sleep" }
        .Select(category => new TipCandidate($"{category}-tip", category, null, InCatalog: false)).ToArray();

    /// <summary>
    /// A log of Users × DecisionsPerUser decisions; the served tip is drawn from <paramref name="logging"/> (uniform
    /// when null) and completed with its probability in <paramref name="completion"/>.
    /// </summary>
    private static List<RewardedDecision> Simulate(double[] completion, int seed, double[]? logging = null)
    {
        var random = new Random(seed);
        var log = new List<RewardedDecision>();
        logging ??= Tips.Select(_ => 1.0 / Tips.Length).ToArray();
        for (var u = 0; u < Users; u++)
        {
            for (var t = 0; t < DecisionsPerUser; t++)
            {
                var served = Distributions.SampleIndex(logging, random);
                int[] order = [served, .. Enumerable.Range(0, Tips.Length).Where(i => i != served).OrderBy(_ => random.Next())];
                var requestId = $"u{u}-d{t}";
                var kind = random.NextDouble() < completion[served] ? EventKind.Complete : EventKind.Dismiss;
                var decision = new DecisionRecord(requestId, $"user-{u}", "logging", random.Next(24), ProfileFeatureRegistry.Defaults(),
                    order.Select(i => Tips[i]).ToArray(), order.Select(i => logging[i]).ToArray(), 1_000_000L * t, null);
                log.Add(new RewardedDecision(decision, Tips[served].TipId, [new FeedbackEvent($"{requestId}-r", Tips[served].TipId, kind, requestId, null, 0)]));
            }
        }
        // The store hands decisions over by user then time, but the replay must not depend on it.
        return log.OrderBy(_ => random.Next()).ToList();
    }

    private static PolicyEvaluation Evaluate(IPolicy policy, IEnumerable<RewardedDecision> log, int seed = 7)
    {
        var random = new Random(seed);
        return OfflineEvaluator.Summarize(policy.Name, OfflineEvaluator.Replay(policy, log, Rewards, Ridge, random), Resamples, random);
    }

    private static void AssertEveryIntervalCovers(double truth, PolicyEvaluation evaluation)
    {
        foreach (var (name, estimate) in new[] { ("replay", evaluation.Replay), ("ips", evaluation.Ips), ("snips", evaluation.Snips), ("dr", evaluation.DoublyRobust) })
        {
            Assert.NotNull(estimate);
            var e = estimate.Value;
            Assert.True(e.CiLow <= truth && truth <= e.CiHigh, $"{name} [{e.CiLow:F4}, {e.CiHigh:F4}] misses the true value {truth:F4}");
        }
    }

    private static readonly double[] Completion = [0.2, 0.5, 0.8, 0.35];

    [Fact]
    public void A_uniform_target_on_uniform_logs_is_the_observed_mean_and_every_interval_covers_its_true_value()
    {
        var evaluation = Evaluate(new UniformPolicy("uniform"), Simulate(Completion, seed: 1));

        Assert.Equal(Users * DecisionsPerUser, evaluation.N);
        Assert.Equal(evaluation.LoggingValue!.Value, evaluation.Ips!.Value.Value, 12);
        // Uniform logging over four tips (M = 4) and a uniform target accept each decision with chance 1/4.
        Assert.InRange(evaluation.Accepted, 0.22 * evaluation.N, 0.28 * evaluation.N);
        AssertEveryIntervalCovers(Completion.Average(), evaluation);
    }

    [Fact]
    public void A_target_that_always_serves_one_tip_is_valued_at_that_tips_completion_rate()
    {
        var evaluation = Evaluate(new AlwaysServes("move-tip"), Simulate(Completion, seed: 2));

        AssertEveryIntervalCovers(Completion[2], evaluation);
        // The logging value (about the mean, 0.46) is far outside: the estimate reweighs, it does not echo the log.
        Assert.True(evaluation.Ips!.Value.CiLow > evaluation.LoggingValue, $"IPS {evaluation.Ips}, logged {evaluation.LoggingValue}");
    }

    [Fact]
    public void The_policy_decides_before_it_learns_the_reward_it_is_scored_on()
    {
        // Every tip is a coin flip, so every policy's true value is 0.5. A greedy policy that had already
        // learned the decision's own reward would pick the served tip exactly when it paid, scoring near 1.
        var coinFlips = Enumerable.Repeat(0.5, Tips.Length).ToArray();

        var evaluation = Evaluate(new LinUcbPolicy("greedy", alpha: 0), Simulate(coinFlips, seed: 3));

        AssertEveryIntervalCovers(0.5, evaluation);
    }

    [Fact]
    public void A_learning_policy_replayed_on_the_log_beats_uniform_when_one_tip_is_clearly_best()
    {
        var log = Simulate([0.1, 0.1, 0.9, 0.1], seed: 4);

        var uniform = Evaluate(new UniformPolicy("uniform"), log);
        var linucb = Evaluate(new LinUcbPolicy("linucb", alpha: 1), log);

        // Without learning from the earlier rewards LinUCB would tie every tip, which is uniform.
        Assert.True(linucb.Replay!.Value.CiLow > uniform.Replay!.Value.CiHigh, $"LinUCB {linucb.Replay}, uniform {uniform.Replay}");
        Assert.True(linucb.DoublyRobust!.Value.CiLow > uniform.DoublyRobust!.Value.CiHigh, $"LinUCB {linucb.DoublyRobust}, uniform {uniform.DoublyRobust}");
        Assert.True(linucb.Ips!.Value.CiLow > uniform.Ips!.Value.CiHigh, $"LinUCB {linucb.Ips}, uniform {uniform.Ips}");
    }

    [Fact]
    public void Decisions_whose_served_tip_is_gone_are_skipped_and_an_empty_log_has_no_estimates()
    {
        var log = Simulate(Completion, seed: 5);
        // As the store reads a decision whose served catalog tip was deleted since: the first candidate is another one.
        var gone = log.Take(10).Select(d => d with { Decision = d.Decision with { Candidates = d.Decision.Candidates[1..], Probabilities = d.Decision.Probabilities[1..] } });

        var evaluation = Evaluate(new UniformPolicy("uniform"), gone.Concat(log.Skip(10)));
        var empty = Evaluate(new UniformPolicy("uniform"), []);

        Assert.Equal(log.Count - 10, evaluation.N);
        Assert.Equal(new PolicyEvaluation("uniform", 0, 0, null, null, null, null, null), empty);
    }

    [Fact]
    public void On_non_uniform_logs_rejection_sampling_values_a_randomised_target_at_its_true_value()
    {
        // The logging policy serves the worst tip 70 % of the time. Accepting whenever the target's own draw
        // matches the logged tip would keep tip a with chance ∝ p(a)·π(a) and pull the replay towards 0.2;
        // accepting with π(a)/(M·p(a)) keeps it ∝ π(a).
        double[] logging = [0.7, 0.1, 0.1, 0.1];
        var evaluation = Evaluate(new UniformPolicy("uniform"), Simulate(Completion, seed: 6, logging));

        AssertEveryIntervalCovers(Completion.Average(), evaluation);
        // M = 1/0.1 = 10, and a uniform target is accepted with chance Σ p(a)·π(a)/(M·p(a)) = 1/M.
        Assert.InRange(evaluation.Accepted, 0.08 * evaluation.N, 0.12 * evaluation.N);
    }

    [Fact]
    public void The_policy_learns_only_the_outcomes_of_the_decisions_it_accepted()
    {
        // A deterministic target on uniform logs: accepted exactly when the logged tip is the one it serves
        // (π = 1, M·p = 1), so before each decision its models must have learned exactly the earlier ones
        // that served that tip, and not the exploration on the other tips.
        var log = Simulate(Completion, seed: 7);
        var spy = new AlwaysServes("focus-tip");

        var replay = OfflineEvaluator.Replay(spy, log, Rewards, Ridge, new Random(1), TestContext.Current.CancellationToken);

        var expected = log.GroupBy(d => d.Decision.UserId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(user => user.OrderBy(d => d.Decision.CreatedAtMs)
                .Select((d, i) => (long)user.OrderBy(e => e.Decision.CreatedAtMs).Take(i).Count(e => e.ServedTipId == "focus-tip")));
        Assert.Equal(expected, spy.RoundsSeen);
        Assert.Equal(log.Count(d => d.ServedTipId == "focus-tip"), replay.Accepted.Count);
        Assert.Equal(Users, replay.Users);
    }

    [Fact]
    public void The_outcome_of_a_decision_is_the_first_reward_on_its_served_tip()
    {
        var log = Simulate(Completion, seed: 8).Take(40).ToList();
        // Each decision gets a reward on another candidate first, then a dismiss, then a complete on the served tip.
        var changedMinds = log.Select(d => d with
        {
            Rewards =
            [
                new FeedbackEvent("other", d.Decision.Candidates[1].TipId, EventKind.Complete, d.Decision.RequestId, null, 0),
                new FeedbackEvent("first", d.ServedTipId, EventKind.Dismiss, d.Decision.RequestId, null, 1),
                new FeedbackEvent("second", d.ServedTipId, EventKind.Complete, d.Decision.RequestId, null, 2),
            ],
        });

        var evaluation = Evaluate(new UniformPolicy("uniform"), changedMinds);

        Assert.Equal(40, evaluation.N);
        Assert.Equal(0, evaluation.LoggingValue);
    }

    /// <summary>A deterministic target: the named tip whenever it is a candidate. Records how many rewards its models had learned at each decision.</summary>
    private sealed class AlwaysServes(string tipId) : IPolicy
    {
        public List<long> RoundsSeen { get; } = [];

        public string Name => $"always-{tipId}";
        public string Kind => "test";
        public PolicyInputs Inputs => PolicyInputs.PerTip;
        public IReadOnlyDictionary<string, double> Hyperparameters { get; } = new Dictionary<string, double>();

        public PolicyChoice Decide(PolicyInput input, Random random)
        {
            RoundsSeen.Add(input.Rounds);
            var probabilities = input.TipIds.Select(id => id == tipId ? 1.0 : 0.0).ToArray();
            return new PolicyChoice(probabilities, probabilities);
        }
    }
}
