using Actors.Abstractions;
using Actors.Grains;
using Actors.Learning.Bandits;
using Actors.Learning.Policies;
using Actors.Learning.Profile;

namespace Actors.Tests.Learning;

/// <summary>
/// The LinUCB policy as serving runs it (<see cref="LinUcbPolicy.Decide"/> over <see cref="BanditScoring.InputFor"/>),
/// not <c>LinUcb.Score</c>: its exploration bonus must reach the served distribution.
/// </summary>
public sealed class LinUcbServingTests
{
    private static readonly TipCandidate Tried = new("tried", "focus", null, InCatalog: true);
    private static readonly TipCandidate Untried = new("untried", "sleep", null, InCatalog: true);
    private static readonly double[] Profile = new double[ProfileFeatureRegistry.Count];

    [Theory]
    [InlineData(0.1)]
    [InlineData(1.0)]
    public void With_a_bonus_the_untried_tip_wins_a_tie_of_means_and_without_one_it_does_not(double alpha)
    {
        var models = ModelsThatTriedOneTip();
        var input = BanditScoring.InputFor(models, Profile, 9, [Tried, Untried]);
        // Only rewards of 0 were seen, so the ridge weights are zero and both means are 0: a tie.
        Assert.Equal(input.Means[0], input.Means[1], 12);
        Assert.True(input.Variances[1] > input.Variances[0], $"variances {input.Variances[0]:F4} (tried) and {input.Variances[1]:F4} (untried)");

        var greedy = new LinUcbPolicy("greedy", alpha: 0).Decide(input, new Random(1)).Probabilities;
        var optimistic = new LinUcbPolicy("optimistic", alpha).Decide(input, new Random(1)).Probabilities;

        Assert.Equal([0.5, 0.5], greedy);
        Assert.Equal([0.0, 1.0], optimistic);
    }

    [Fact]
    public void The_bonus_can_outweigh_a_small_lead_in_the_mean()
    {
        var models = ModelsThatTriedOneTip(reward: 0.05);
        var input = BanditScoring.InputFor(models, Profile, 9, [Tried, Untried]);
        Assert.True(input.Means[0] > input.Means[1], $"means {input.Means[0]:F4} (tried) and {input.Means[1]:F4} (untried)");

        Assert.Equal([1.0, 0.0], new LinUcbPolicy("greedy", alpha: 0).Decide(input, new Random(1)).Probabilities);
        Assert.Equal([0.0, 1.0], new LinUcbPolicy("optimistic", alpha: 0.5).Decide(input, new Random(1)).Probabilities);
    }

    /// <summary>Twenty rewards for the tried tip at 9h, as the grain credits them; the untried tip's category never seen.</summary>
    private static PolicyModels ModelsThatTriedOneTip(double reward = 0)
    {
        var models = new PolicyModels(new LinUcb(new LinUcbOptions { Lambda = 1 }));
        for (var i = 0; i < 20; i++)
        {
            var input = BanditScoring.InputFor(models, Profile, 9, [Tried]);
            models.Learn(Tried.TipId, input.Named!.FullVector(0), reward);
        }
        return models;
    }
}
