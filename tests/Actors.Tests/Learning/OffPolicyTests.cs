using Actors.Learning.Evaluation;

namespace Actors.Tests.Learning;

public sealed class OffPolicyTests
{
    /// <summary>
    /// Contexts of two kinds, four actions with known reward means per kind; the logging policy is uniform,
    /// the evaluated one prefers action 2 in kind 0 and action 1 in kind 1. The true value is exact.
    /// </summary>
    private static (LoggedOutcome[] Log, double TrueValue) Simulate(int n, int seed, double modelError)
    {
        double[][] means = [[0.1, 0.2, 0.7, 0.3], [0.4, 0.8, 0.1, 0.2]];
        double[][] target = [[0.1, 0.1, 0.7, 0.1], [0.05, 0.85, 0.05, 0.05]];
        var trueValue = 0.5 * Enumerable.Range(0, 4).Sum(a => target[0][a] * means[0][a])
                      + 0.5 * Enumerable.Range(0, 4).Sum(a => target[1][a] * means[1][a]);
        var random = new Random(seed);
        var log = new LoggedOutcome[n];
        for (var i = 0; i < n; i++)
        {
            var kind = random.Next(2);
            var action = random.Next(4);
            var reward = random.NextDouble() < means[kind][action] ? 1.0 : 0.0;
            double Model(int a) => means[kind][a] + modelError;
            log[i] = new LoggedOutcome(reward, 0.25, target[kind][action], Model(action),
                Enumerable.Range(0, 4).Sum(a => target[kind][a] * Model(a)));
        }
        return (log, trueValue);
    }

    [Theory]
    [InlineData(1, 0.0)]
    [InlineData(2, 0.1)]
    [InlineData(3, -0.2)]
    public void The_intervals_of_ips_snips_and_dr_cover_the_true_value(int seed, double modelError)
    {
        var (log, truth) = Simulate(6000, seed, modelError);
        var random = new Random(seed);

        foreach (var estimator in new OffPolicy.EstimatorFunction[] { OffPolicy.Ips, OffPolicy.Snips, OffPolicy.DoublyRobust })
        {
            var estimate = OffPolicy.WithInterval(log, estimator, resamples: 400, random);
            Assert.InRange(truth, estimate.CiLow, estimate.CiHigh);
            Assert.True(estimate.CiLow <= estimate.Value && estimate.Value <= estimate.CiHigh);
        }
    }

    [Fact]
    public void With_an_exact_reward_model_dr_is_tighter_than_ips()
    {
        var (log, _) = Simulate(6000, 4, modelError: 0);
        var ips = OffPolicy.WithInterval(log, OffPolicy.Ips, 400, new Random(1));
        var dr = OffPolicy.WithInterval(log, OffPolicy.DoublyRobust, 400, new Random(1));

        Assert.True(dr.CiHigh - dr.CiLow < ips.CiHigh - ips.CiLow, $"DR width {dr.CiHigh - dr.CiLow:F4}, IPS width {ips.CiHigh - ips.CiLow:F4}");
    }

    [Fact]
    public void When_the_target_is_the_logging_policy_ips_is_the_observed_mean()
    {
        LoggedOutcome[] log = [new(1, 0.5, 0.5), new(0, 0.25, 0.25), new(1, 0.2, 0.2), new(1, 1, 1)];

        Assert.Equal(0.75, OffPolicy.Ips(log), 12);
        Assert.Equal(0.75, OffPolicy.Snips(log), 12);
        Assert.Throws<ArgumentException>(() => OffPolicy.Ips([new LoggedOutcome(1, 0, 1)]));
    }

    /// <summary>
    /// The same contexts and means, logged by ε-greedy (ε = 0.2) around action 0, so logged probabilities are
    /// 0.85 or 0.05 and the weights of the target above are far from 1 and vary: the mean weight of a sample
    /// strays from 1, which is what SNIPS divides out and IPS does not.
    /// </summary>
    private static (LoggedOutcome[] Log, double TrueValue) SimulateEpsilonGreedyLogging(int n, Random random, Func<int, int, double>? reward = null)
    {
        double[][] means = [[0.1, 0.2, 0.7, 0.3], [0.4, 0.8, 0.1, 0.2]];
        double[][] target = [[0.1, 0.1, 0.7, 0.1], [0.05, 0.85, 0.05, 0.05]];
        double[] logging = [0.85, 0.05, 0.05, 0.05];
        reward ??= (kind, action) => random.NextDouble() < means[kind][action] ? 1.0 : 0.0;
        var trueValue = 0.5 * Enumerable.Range(0, 4).Sum(a => target[0][a] * means[0][a])
                      + 0.5 * Enumerable.Range(0, 4).Sum(a => target[1][a] * means[1][a]);
        var log = new LoggedOutcome[n];
        for (var i = 0; i < n; i++)
        {
            var kind = random.Next(2);
            var action = Actors.Learning.Bandits.Distributions.SampleIndex(logging, random);
            log[i] = new LoggedOutcome(reward(kind, action), logging[action], target[kind][action]);
        }
        return (log, trueValue);
    }

    [Fact]
    public void On_non_uniform_logs_snips_is_exact_for_a_constant_reward_where_ips_is_off_by_the_mean_weight()
    {
        var (log, _) = SimulateEpsilonGreedyLogging(300, new Random(11), reward: (_, _) => 1.0);
        var meanWeight = log.Average(o => o.TargetProbability / o.LoggingProbability);

        // Every policy is worth exactly 1 when every reward is 1.
        Assert.Equal(1.0, OffPolicy.Snips(log), 12);
        Assert.Equal(meanWeight, OffPolicy.Ips(log), 12);
        Assert.True(Math.Abs(meanWeight - 1) > 0.05, $"mean weight {meanWeight:F3}: the sample does not exercise the normalisation");
    }

    [Fact]
    public void On_non_uniform_logs_snips_errs_less_than_ips_on_small_samples_and_both_intervals_cover_on_a_large_one()
    {
        var random = new Random(12);
        double ipsError = 0, snipsError = 0;
        const int Replications = 400;
        for (var r = 0; r < Replications; r++)
        {
            var (small, truth) = SimulateEpsilonGreedyLogging(60, random);
            ipsError += Math.Pow(OffPolicy.Ips(small) - truth, 2);
            snipsError += Math.Pow(OffPolicy.Snips(small) - truth, 2);
        }
        // SNIPS divides out the sample's mean weight, the main source of IPS's error here; without it the two are equal.
        Assert.True(snipsError < 0.7 * ipsError, $"MSE SNIPS {snipsError / Replications:F4}, IPS {ipsError / Replications:F4}");

        var (log, trueValue) = SimulateEpsilonGreedyLogging(8000, random);
        var snips = OffPolicy.WithInterval(log, OffPolicy.Snips, 400, random);
        Assert.InRange(trueValue, snips.CiLow, snips.CiHigh);
        Assert.NotEqual(OffPolicy.Ips(log), snips.Value, 3);
    }
}
