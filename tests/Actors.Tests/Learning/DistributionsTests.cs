using Actors.Learning.Bandits;

namespace Actors.Tests.Learning;

public sealed class DistributionsTests
{
    public static TheoryData<double[]> Invalid => new()
    {
        new[] { 0.5, 0.6 },
        new[] { 1.2, -0.2 },
        new[] { double.NaN, 1.0 },
        new[] { double.PositiveInfinity },
        Array.Empty<double>(),
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_distributions_are_rejected(double[] probabilities) =>
        Assert.Throws<ArgumentException>(() => Distributions.Validate(probabilities));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(200)]
    public void Uniform_is_valid_and_flat(int count)
    {
        var p = Distributions.Uniform(count);
        Distributions.Validate(p);
        Assert.All(p, v => Assert.Equal(1.0 / count, v, 15));
    }

    [Fact]
    public void Epsilon_greedy_puts_one_minus_epsilon_on_the_best_and_shares_ties()
    {
        var unique = Distributions.EpsilonGreedy([0.1, 0.9, 0.3, 0.2], epsilon: 0.2);
        Distributions.Validate(unique);
        Assert.Equal(0.05 + 0.8, unique[1], 12);
        Assert.Equal(0.05, unique[0], 12);

        var tied = Distributions.EpsilonGreedy([0.9, 0.9, 0.1], epsilon: 0.3);
        Assert.Equal(0.1 + 0.35, tied[0], 12);
        Assert.Equal(tied[0], tied[1], 12);
        Assert.Equal(0.1, tied[2], 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => Distributions.EpsilonGreedy([1.0], 1.5));
    }

    [Fact]
    public void Softmax_matches_its_definition_and_stays_finite_for_large_values()
    {
        var p = Distributions.Softmax([1.0, 2.0, 3.0], temperature: 0.5);
        var z = Math.Exp(2) + Math.Exp(4) + Math.Exp(6);
        Assert.Equal(Math.Exp(2) / z, p[0], 12);
        Assert.Equal(Math.Exp(6) / z, p[2], 12);

        var large = Distributions.Softmax([1000.0, 1001.0], temperature: 1);
        Distributions.Validate(large);
        Assert.Equal(1 / (1 + Math.E), large[0], 12);
    }

    [Fact]
    public void Sampling_serves_each_candidate_as_often_as_its_probability()
    {
        double[] values = [0.2, 0.5, 0.1];
        double[] probabilities = [0.2, 0.5, 0.3];
        var random = new Random(7);
        var served = new int[3];
        const int draws = 20_000;
        for (var i = 0; i < draws; i++)
        {
            var ranking = Distributions.Sample(values, probabilities, random);
            Assert.Equal([0, 1, 2], ranking.Order.Order());
            served[ranking.Order[0]]++;
        }

        for (var i = 0; i < 3; i++)
        {
            // 5 binomial standard deviations.
            var sd = Math.Sqrt(draws * probabilities[i] * (1 - probabilities[i]));
            Assert.InRange(served[i], draws * probabilities[i] - 5 * sd, draws * probabilities[i] + 5 * sd);
        }
        Assert.Equal(1, Distributions.Sample(values, [0, 1, 0], random).Order[0]);
    }
}
