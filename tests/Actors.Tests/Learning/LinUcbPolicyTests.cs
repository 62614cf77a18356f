using Actors.Learning.Bandits;
using Actors.Learning.Policies;

namespace Actors.Tests.Learning;

/// <summary>
/// The serving LinUCB policy, driven the way serving drives it (a PolicyInput over the user's models), must
/// explore: an untried tip whose mean is equal to or a little below a tried one's wins on its wider bound when
/// alpha &gt; 0, and loses (or ties) when alpha = 0. LinUcb.Score has the same formula, but serving does not call it.
/// </summary>
public sealed class LinUcbPolicyTests
{
    private static readonly double[] Profile = [0.5, 0.1, 3000, 9, 20];

    /// <summary>Tip "tried" served ten times with <paramref name="reward"/>; "untried" never. Bias and category are shared by both.</summary>
    private static PolicyInput Input(double reward)
    {
        var models = new PolicyModels(new LinUcb(new LinUcbOptions { Lambda = 1 }));
        TipFeatures[] tips = [new("tried", "focus", null), new("untried", "focus", null)];
        var set = new BanditFeatureSet([FeatureGroups.Tip]);
        for (var t = 0; t < 10; t++) models.Learn("tried", set.Build(Profile, 9, tips).FullVector(0), reward);
        var named = set.Build(Profile, 9, tips);
        return new PolicyInput(models.Ridge.Resolve(named), ["tried", "untried"], models, named);
    }

    [Theory]
    [InlineData(0.0, 0.1)] // equal means: both 0
    [InlineData(0.0, 1.0)]
    [InlineData(0.1, 1.0)] // the untried tip's mean is a little lower
    [InlineData(0.1, 2.0)]
    public void An_untried_tip_wins_on_its_bonus_when_alpha_is_positive(double reward, double alpha)
    {
        var input = Input(reward);
        Assert.True(input.Means[1] <= input.Means[0], $"means {input.Means[0]} vs {input.Means[1]}");
        Assert.True(input.Variances[1] > input.Variances[0]);

        var choice = new LinUcbPolicy("linucb-test", alpha).Decide(input, new Random(1));

        Assert.Equal(1.0, choice.Probabilities[1]);
        Assert.Equal(input.Means[1] + alpha * Math.Sqrt(input.Variances[1]), choice.Values[1], 12);
    }

    [Theory]
    [InlineData(0.0, 0.5)] // equal means tie: the untried tip is not preferred
    [InlineData(0.1, 0.0)] // a little lower: it loses outright
    public void Without_the_bonus_the_untried_tip_does_not_win(double reward, double expectedUntried)
    {
        var input = Input(reward);

        var choice = new LinUcbPolicy("linucb-test", 0).Decide(input, new Random(1));

        Assert.Equal(expectedUntried, choice.Probabilities[1]);
        Assert.Equal(input.Means, choice.Values);
    }
}
