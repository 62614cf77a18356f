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
/// The progressive replay of <see cref="OfflineEvaluator"/> on synthetic logs held in memory: a uniform
/// logging policy over four tips whose completion probabilities are set here, so the true value of a
/// uniform or a fixed target policy is known exactly. Seeded throughout, so each run is the same.
/// </summary>
public sealed class OfflineReplayTests
{
    private const int Users = 200, DecisionsPerUser = 20, Resamples = 400;
    private static readonly RewardOptions Rewards = new();
    private static readonly LinUcbOptions Ridge = new BanditOptions().ToLinUcbOptions();

    private static readonly TipCandidate[] Tips = new[] { "calm", "focus", "move", "sleep" }
        .Select(category => new TipCandidate($"{category}-tip", category, null, InCatalog: false)).ToArray();

    /// <summary>A log of Users × DecisionsPerUser decisions; each served tip is completed with its probability in <paramref name="completion"/>.</summary>
    private static List<RewardedDecision> Simulate(double[] completion, int seed)
    {
        var random = new Random(seed);
        var log = new List<RewardedDecision>();
        var uniform = Tips.Select(_ => 1.0 / Tips.Length).ToArray();
        for (var u = 0; u < Users; u++)
        {
            for (var t = 0; t < DecisionsPerUser; t++)
            {
                var served = random.Next(Tips.Length);
                TipCandidate[] candidates = [Tips[served], .. Tips.Where((_, i) => i != served).OrderBy(_ => random.Next())];
                var requestId = $"u{u}-d{t}";
                var kind = random.NextDouble() < completion[served] ? EventKind.Complete : EventKind.Dismiss;
                var decision = new DecisionRecord(requestId, $"user-{u}", "uniform-v1", random.Next(24), ProfileFeatureRegistry.Defaults(),
                    candidates, uniform, 1_000_000L * t, null);
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
        foreach (var (name, estimate) in new[] { ("ips", evaluation.Ips), ("snips", evaluation.Snips), ("dr", evaluation.DoublyRobust) })
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
        Assert.Equal(new PolicyEvaluation("uniform", 0, null, null, null, null), empty);
    }

    /// <summary>A deterministic target: the named tip whenever it is a candidate.</summary>
    private sealed class AlwaysServes(string tipId) : IPolicy
    {
        public string Name => $"always-{tipId}";
        public string Kind => "test";
        public PolicyInputs Inputs => PolicyInputs.PerTip;
        public IReadOnlyDictionary<string, double> Hyperparameters { get; } = new Dictionary<string, double>();

        public PolicyChoice Decide(PolicyInput input, Random random)
        {
            var probabilities = input.TipIds.Select(id => id == tipId ? 1.0 : 0.0).ToArray();
            return new PolicyChoice(probabilities, probabilities);
        }
    }
}
