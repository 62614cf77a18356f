using Actors.Learning.Bandits;
using static Actors.Tests.Learning.DensePosterior;

namespace Actors.Tests.Learning;

/// <summary>
/// What keeps one user's model bounded and finite whatever it is fed: a dimension cap, a value bound, refused
/// updates that leave no trace, and stored states that are rejected rather than trusted.
/// </summary>
public sealed class ModelBoundsTests
{
    [Fact]
    public void MaxDimension_caps_the_model_and_the_features_left_out_still_score_from_the_prior()
    {
        var prior = new PopulationPrior(1, ["f4", "f5"], [0.8, -0.3], [2, 4]);
        var model = new LinUcb(new LinUcbOptions { MaxDimension = 4, Lambda = 1 }, prior);

        var first = model.Update([.. Enumerable.Range(0, 6).Select(i => new NamedFeature($"f{i}", 1.0))], 1.0);
        var second = model.Update([new NamedFeature("f0", 1.0), new NamedFeature("g", 1.0), new NamedFeature("h", 0.5)], 0.0);

        Assert.True(first.Learned);
        Assert.Equal(2, first.DroppedFeatures);
        Assert.True(second.Learned);
        Assert.Equal(2, second.DroppedFeatures);
        Assert.Equal(4, model.Dimension);
        Assert.Equal(["f0", "f1", "f2", "f3"], model.FeatureNames);
        Assert.Equal(2, model.Updates);

        var (means, variances) = model.Estimate(model.Resolve(Batch([], [new("f5", 1.0)], [new("f4", 2.0)], [new("g", 1.0)])));
        Assert.Equal([-0.3, 1.6, 0.0], means);
        Assert.Equal([1 / 4.0, 4 / 2.0, 1.0], variances);
    }

    [Theory]
    [InlineData(10.5, 1.0)]
    [InlineData(-10.5, 1.0)]
    [InlineData(1.0, 10.5)]
    [InlineData(1.0, -1e9)]
    [InlineData(double.NaN, 1.0)]
    [InlineData(1.0, double.NaN)]
    [InlineData(double.PositiveInfinity, 1.0)]
    [InlineData(1.0, double.NegativeInfinity)]
    public void A_value_or_reward_beyond_MaxAbsValue_is_refused_and_leaves_the_model_as_it_was(double value, double reward)
    {
        var model = new LinUcb(new LinUcbOptions { MaxAbsValue = 10 });
        model.Update([new NamedFeature("x", 10), new NamedFeature("y", -10)], -10); // the bound itself is admitted
        var before = model.ToState();

        var result = model.Update([new NamedFeature("x", 1.0), new NamedFeature("z", value)], reward);

        Assert.Equal(UpdateRefusal.InputOutOfRange, result.Refusal);
        Assert.False(result.Learned);
        var after = model.ToState();
        Assert.Equal(before.FeatureNames, after.FeatureNames);
        Assert.Equal(before.A, after.A);
        Assert.Equal(before.B, after.B);
        Assert.Equal(1, model.Updates);
        Assert.True(model.IsFinite());
    }

    [Fact]
    public void An_update_that_would_overflow_A_is_refused_as_a_non_finite_model()
    {
        // With the value bound out of the way, 1.3e154 (finite, its square nearly the largest double) reaches the model check.
        var model = new LinUcb(new LinUcbOptions { MaxAbsValue = 1e300 });
        model.Update([new NamedFeature("x", 1.3e154)], 1.0);
        var before = model.ToState();

        var result = model.Update([new NamedFeature("x", 1.3e154)], 1.0);

        Assert.Equal(UpdateRefusal.NonFiniteModel, result.Refusal);
        Assert.Equal(before.A, model.ToState().A);
        Assert.Equal(before.B, model.ToState().B);
        Assert.Equal(1, model.Updates);
        Assert.True(model.IsFinite());
    }

    // Fails today: Update adds the new features' dimensions before the finiteness check and Undo does not take them
    // out, so a refused update still spends MaxDimension and changes the stored state. Reported to the lead
    // (src/Learning/Bandits/LinUcb.cs is theirs); only reachable with MaxAbsValue far above its 1e6 default.
    [Fact]
    public void A_refused_update_adds_no_dimension()
    {
        var model = new LinUcb(new LinUcbOptions { MaxAbsValue = 1e300 });
        model.Update([new NamedFeature("x", 1.3e154)], 1.0);
        var before = model.ToState();

        var result = model.Update([new NamedFeature("x", 1.3e154), new NamedFeature("fresh", 1.0)], 1.0);

        Assert.Equal(UpdateRefusal.NonFiniteModel, result.Refusal);
        Assert.Equal(before.FeatureNames, model.ToState().FeatureNames);
        Assert.Equal(before.A, model.ToState().A);
    }

    public static TheoryData<string, LinUcbState> BrokenStates => new()
    {
        { "NaN in A", new LinUcbState(["a", "b"], [2, 0, 0, double.NaN], [0, 0], 1, [1, 1]) },
        { "∞ in b", new LinUcbState(["a", "b"], [2, 0, 0, 2], [double.PositiveInfinity, 0], 1, [1, 1]) },
        { "NaN precision", new LinUcbState(["a", "b"], [2, 0, 0, 2], [0, 0], 1, [1, double.NaN]) },
        { "zero precision", new LinUcbState(["a", "b"], [2, 0, 0, 2], [0, 0], 1, [1, 0]) },
        { "A too short", new LinUcbState(["a", "b"], [2, 0, 2], [0, 0], 1, [1, 1]) },
        { "b too long", new LinUcbState(["a", "b"], [2, 0, 0, 2], [0, 0, 0], 1, [1, 1]) },
        { "precisions too short", new LinUcbState(["a", "b"], [2, 0, 0, 2], [0, 0], 1, [1]) },
        { "A indefinite", new LinUcbState(["a", "b"], [1, 2, 2, 1], [0, 0], 1, [1, 1]) },
        { "A negative", new LinUcbState(["a"], [-1], [0], 1, [1]) },
        { "a name twice", new LinUcbState(["a", "a"], [2, 0, 0, 2], [0, 0], 1, [1, 1]) },
    };

    [Theory]
    [MemberData(nameof(BrokenStates))]
    public void FromState_refuses_what_is_not_a_model(string what, LinUcbState state)
    {
        var error = Record.Exception(() => LinUcb.FromState(state));

        Assert.True(error is InvalidDataException, $"{what}: {error?.GetType().Name ?? "no exception"}");
    }

    [Fact]
    public void IsFinite_tells_a_stored_model_whose_weights_overflow()
    {
        // Finite and positive definite, so it loads, but θ = b / A = 1e300 / 1e-300 is not a number the model can score with.
        var overflowing = LinUcb.FromState(new LinUcbState(["a"], [1e-300], [1e300], 1, [1e-300]));
        var ordinary = LinUcb.FromState(new LinUcbState(["a"], [3], [1], 2, [1]));

        Assert.False(overflowing.IsFinite());
        Assert.True(ordinary.IsFinite());
        Assert.Equal(1 / 3.0, ordinary.Weights()["a"], 15);
    }
}
