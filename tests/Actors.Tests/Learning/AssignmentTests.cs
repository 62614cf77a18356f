using Actors.Learning.Experiments;

namespace Actors.Tests.Learning;

public sealed class AssignmentTests
{
    private static readonly Variant[] Split = [new("control", 0.5), new("treatment", 0.3), new("holdout", 0.2)];

    [Fact]
    public void Assignment_is_deterministic_and_splits_by_weight_within_sampling_error()
    {
        const int users = 20_000;
        var counts = Split.ToDictionary(v => v.Name, _ => 0);
        for (var u = 0; u < users; u++)
        {
            var variant = Assignment.Assign("exp-1", $"user-{u}", Split);
            Assert.Equal(variant, Assignment.Assign("exp-1", $"user-{u}", Split));
            counts[variant]++;
        }

        foreach (var v in Split)
        {
            var sd = Math.Sqrt(users * v.Weight * (1 - v.Weight));
            Assert.InRange(counts[v.Name], users * v.Weight - 5 * sd, users * v.Weight + 5 * sd);
        }
        Assert.True(Assignment.SampleRatioPValue(Split.Select(v => (long)counts[v.Name]).ToArray(), Split.Select(v => v.Weight).ToArray()) > 0.001);
    }

    [Fact]
    public void Experiments_and_salts_assign_independently()
    {
        var same = 0;
        for (var u = 0; u < 10_000; u++)
        {
            var a = Assignment.Assign("exp-1", $"user-{u}", [new("a", 1), new("b", 1)]);
            var b = Assignment.Assign("exp-1", $"user-{u}", [new("a", 1), new("b", 1)], salt: "rerun-2");
            if (a == b) same++;
        }
        // Independent halves agree about half the time: 5,000 ± 5 × 50.
        Assert.InRange(same, 4750, 5250);
    }

    [Fact]
    public void The_srm_check_fires_on_a_skewed_split_and_not_on_a_fair_one()
    {
        Assert.True(Assignment.SampleRatioPValue([5_000, 5_000], [1, 1]) > 0.99);
        Assert.True(Assignment.SampleRatioPValue([5_050, 4_950], [1, 1]) > 0.1);
        Assert.True(Assignment.SampleRatioPValue([5_300, 4_700], [1, 1]) < 0.001);
        Assert.True(Assignment.SampleRatioPValue([8_000, 2_000], [0.8, 0.2]) > 0.99);
        // chi-square = 2 · 100² / 5000 = 4 on one degree of freedom: p = 0.0455.
        Assert.Equal(0.0455, Assignment.SampleRatioPValue([5_100, 4_900], [1, 1]), 4);
    }

    [Fact]
    public void Bad_weights_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Assignment.Assign("e", "u", []));
        Assert.Throws<ArgumentException>(() => Assignment.Assign("e", "u", [new("a", -1), new("b", 2)]));
        Assert.Throws<ArgumentException>(() => Assignment.Assign("e", "u", [new("a", 0)]));
        Assert.Equal("b", Assignment.Assign("e", "u", [new("a", 0), new("b", 3)]));
    }
}
