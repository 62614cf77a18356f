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
}
