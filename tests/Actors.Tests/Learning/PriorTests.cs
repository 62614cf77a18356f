using Actors.Learning.Bandits;
using static Actors.Tests.Learning.DensePosterior;

namespace Actors.Tests.Learning;

/// <summary>
/// A user's ridge model under a population prior is the Bayesian posterior of that prior: untrained it scores the
/// prior, trained it equals θ = (diag(p) + Σxxᵀ)⁻¹(p∘μ + Σrx) solved densely, and a new prior moves its means
/// without touching what it learned (A).
/// </summary>
public sealed class PriorTests
{
    // Dense LU against Sherman–Morrison/Cholesky on ≤ 12 well-conditioned dimensions (precisions ≥ 0.5):
    // rounding differs by a few ulps times the condition number, far below this.
    private const double Tolerance = 1e-9;
    private const double Lambda = 1.5;

    private static readonly string[] Pool = ["a", "b", "c", "d", "e", "f", "g", "h", "u1", "u2", "u3", "u4"];

    /// <summary>a..h have a population term; u1..u4 do not (mean 0 at precision λ).</summary>
    private static PopulationPrior Prior(long version, double shift = 0) => new(
        version,
        ["a", "b", "c", "d", "e", "f", "g", "h"],
        [0.3 + shift, -0.2 + shift, 0.5, 0.1 - shift, -0.4, 0.0, 0.25 + shift, 0.05],
        [4, 2, 10, 0.5, 1, 3, 6, 8]);

    private static (double Mean, double Precision) Term(PopulationPrior prior, string name) =>
        prior.TryGet(new FeatureKey(name), out var t) ? (t.Mean, t.Precision) : (0, Lambda);

    [Fact]
    public void An_untrained_model_estimates_the_prior_mean_and_variance()
    {
        var prior = Prior(1);
        var model = new LinUcb(new LinUcbOptions { Lambda = Lambda }, prior);
        NamedFeature[] shared = [new("bias", 1.0), new("a", 0.5)];
        NamedFeature[][] candidates = [[new("b", 0.5), new("c", 2.0)], [new("c", -1.0), new("u1", 0.7)], [new("u2", 3.0)]];

        var (means, variances) = model.Estimate(model.Resolve(Batch(shared, candidates)));

        for (var i = 0; i < candidates.Length; i++)
        {
            var x = shared.Concat(candidates[i]).ToArray();
            var expectedMean = x.Sum(f => Term(prior, f.Name).Mean * f.Value);
            var expectedVariance = x.Sum(f => f.Value * f.Value / Term(prior, f.Name).Precision);
            Assert.Equal(expectedMean, means[i], 12);
            Assert.Equal(expectedVariance, variances[i], 12);
        }
        // Candidate 0's mean is 0.5·0.3 + 0.5·(−0.2) + 2·0.5: the prior is really read.
        Assert.Equal(1.05, means[0], 12);
        Assert.Equal(0, model.Dimension);
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 150)]
    [InlineData(3, 400)]
    public void A_trained_model_is_the_closed_form_posterior_of_its_prior(int seed, int updates)
    {
        var random = new Random(seed);
        var prior = Prior(1);
        var model = new LinUcb(new LinUcbOptions { Lambda = Lambda, RefactorEvery = 64 }, prior);
        var reference = new DensePosterior();
        for (var t = 0; t < updates; t++)
        {
            var x = RandomVector(random, Pool);
            var reward = random.NextDouble() < 0.3 ? 1.0 : random.NextDouble() * 0.2 - 0.1;
            foreach (var f in x) reference.Enter(f.Name, Term(prior, f.Name).Mean, Term(prior, f.Name).Precision);
            Assert.True(model.Update(x, reward).Learned);
            reference.Add(x, reward);
        }

        AssertWeights(reference.Theta(), model.Weights(), Tolerance);
        NamedFeature[][] probes = [[new("a", 1.0), new("u3", 0.5)], [new("c", -0.5), new("never", 2.0)], [new("h", 1.0), new("b", 1.0), new("u1", -1.0)]];
        var (means, variances) = model.Estimate(model.Resolve(Batch([new("d", 0.3)], probes)));
        for (var i = 0; i < probes.Length; i++)
        {
            var (mean, variance) = reference.Estimate([new("d", 0.3), .. probes[i]], name => Term(prior, name));
            AssertClose(mean, means[i], Tolerance, $"mean {i}");
            AssertClose(variance, variances[i], Tolerance, $"variance {i}");
        }
    }

    [Fact]
    public void A_new_prior_moves_the_means_as_the_closed_form_says_and_leaves_A_alone()
    {
        var random = new Random(7);
        var first = Prior(1);
        var model = new LinUcb(new LinUcbOptions { Lambda = Lambda }, first);
        var reference = new DensePosterior();
        for (var t = 0; t < 120; t++)
        {
            var x = RandomVector(random, Pool);
            var reward = random.NextDouble();
            foreach (var f in x) reference.Enter(f.Name, Term(first, f.Name).Mean, Term(first, f.Name).Precision);
            model.Update(x, reward);
            reference.Add(x, reward);
        }
        var before = model.ToState();
        var weightsBefore = model.Weights();

        // The new estimate shifts some means and drops "h" (its mean goes to 0); precisions also differ, but a
        // feature keeps the precision it entered with.
        var second = new PopulationPrior(2, ["a", "b", "c", "d", "e", "f", "g", "u1"], [1.0, -1.0, 0.5, 0.6, -0.4, 2.0, 0.25, 0.7], [9, 9, 9, 9, 9, 9, 9, 9]);
        model.UsePrior(second);
        foreach (var name in reference.Names) reference.SetMean(name, Term(second, name).Mean);

        var after = model.ToState();
        Assert.Equal(before.A, after.A);
        Assert.Equal(before.B, after.B);
        Assert.Equal(before.PriorPrecision, after.PriorPrecision);
        Assert.Equal(2, model.PriorVersion);
        AssertWeights(reference.Theta(), model.Weights(), Tolerance);
        Assert.True(Math.Abs(model.Weights()["f"] - weightsBefore["f"]) > 0.1, "the new prior did not move θ[f]");
    }

    [Fact]
    public void The_state_round_trips_the_prior_precision_each_feature_entered_with()
    {
        var random = new Random(11);
        var prior = Prior(1);
        var options = new LinUcbOptions { Lambda = Lambda };
        var model = new LinUcb(options, prior);
        for (var t = 0; t < 80; t++) model.Update(RandomVector(random, Pool), random.NextDouble());
        var state = model.ToState();
        Assert.Equal(state.FeatureNames.Select(n => Term(prior, n).Precision), state.PriorPrecision!);

        // Restored under a prior with other precisions: the stored ones stand, the means follow the new prior.
        var other = new PopulationPrior(5, ["a", "c"], [0.9, -0.9], [100, 100]);
        var restored = LinUcb.FromState(state, options, other);

        Assert.Equal(state.PriorPrecision, restored.ToState().PriorPrecision);
        Assert.Equal(state.A, restored.ToState().A);
        var reference = new DensePosterior();
        for (var i = 0; i < state.FeatureNames.Length; i++) reference.Enter(state.FeatureNames[i], Term(other, state.FeatureNames[i]).Mean, state.PriorPrecision![i]);
        // The reference holds no rewards, so its b is the prior part p∘μ; the stored Σxxᵀ and Σrx come from the state.
        var (a, b) = reference.System();
        var stored = a.Clone();
        for (var i = 0; i < state.FeatureNames.Length; i++)
        {
            for (var j = 0; j < state.FeatureNames.Length; j++) stored[i, j] = state.A[i * state.FeatureNames.Length + j];
            b[i] += state.B[i];
        }
        var expected = stored.Solve(b);
        var weights = restored.Weights();
        for (var i = 0; i < state.FeatureNames.Length; i++) AssertClose(expected[i], weights[state.FeatureNames[i]], Tolerance, state.FeatureNames[i]);
    }

    [Fact]
    public void A_state_without_prior_precisions_reads_as_lambda()
    {
        var model = new LinUcb(new LinUcbOptions { Lambda = Lambda });
        model.Update([new NamedFeature("a", 1.0), new NamedFeature("b", 0.5)], 1.0);
        var legacy = model.ToState() with { PriorPrecision = null };

        var restored = LinUcb.FromState(legacy, new LinUcbOptions { Lambda = Lambda });

        Assert.Equal([Lambda, Lambda], restored.ToState().PriorPrecision!);
    }

    [Fact]
    public void A_feature_enters_with_the_prior_precision_current_at_that_moment()
    {
        var model = new LinUcb(new LinUcbOptions { Lambda = Lambda }, new PopulationPrior(1, ["a", "b"], [0.2, 0.2], [3, 3]));
        model.Update([new NamedFeature("a", 1.0)], 1.0);

        model.UsePrior(new PopulationPrior(2, ["a", "b"], [0.4, -0.3], [7, 5]));
        model.Update([new NamedFeature("b", 2.0)], 0.0);
        model.Update([new NamedFeature("c", 1.0)], 0.0);

        var state = model.ToState();
        Assert.Equal(["a", "b", "c"], state.FeatureNames);
        Assert.Equal([3.0, 5.0, Lambda], state.PriorPrecision!);
        // A's diagonal is that precision plus Σx².
        Assert.Equal([3.0 + 1, 5.0 + 4, Lambda + 1], [state.A[0], state.A[4], state.A[8]]);
        // θ[b] = (5·(−0.3) + 0·2) / (5 + 4): the current mean at the precision it entered with.
        Assert.Equal(5 * -0.3 / 9, model.Weights()["b"], 12);
    }
}
