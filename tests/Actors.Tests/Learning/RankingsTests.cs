using Actors.Learning.Bandits;

namespace Actors.Tests.Learning;

public sealed class RankingsTests
{
    public static TheoryData<double[], int> UniqueMaxima => new()
    {
        { [3.0], 0 },
        { [1.0, 2.0, 0.5], 1 },
        { [-5.0, -1.0, -3.0, -2.0], 1 },
        { [0.0, 0.0, 0.0, 1e-9], 3 },            // well outside the 1e-12 relative tie tolerance
        { [1e6, 1e6 + 1e-3, 1e6 - 1], 1 },
        { [7.5, 7.25, 7.0, 6.0, 5.0, 4.0], 0 },
    };

    [Theory]
    [MemberData(nameof(UniqueMaxima))]
    public void A_unique_maximum_is_served_with_probability_one(double[] scores, int best)
    {
        var random = new Random(17);
        for (var draw = 0; draw < 50; draw++)
        {
            var ranking = Rankings.Greedy(scores, random);

            Assert.Equal(best, ranking.Order[0]);
            for (var i = 0; i < scores.Length; i++) Assert.Equal(i == best ? 1.0 : 0.0, ranking.Probabilities[i]);
            AssertIsPermutation(ranking.Order, scores.Length);
            AssertFollowersByScore(scores, ranking.Order, 1);
            Assert.Same(scores, ranking.Scores);
        }
    }

    public static TheoryData<double[], int[]> TiedMaxima => new()
    {
        { [2.0, 2.0], [0, 1] },
        { [1.0, 3.0, 3.0, 2.0, 3.0], [1, 2, 4] },
        { [-1.0, -1.0, -1.0, -1.0], [0, 1, 2, 3] },
        { [0.5, 1.0, 1.0 + 1e-13, 0.9], [1, 2] },         // within the relative tie tolerance (1e-12)
        { [1e9, 1e9 + 1e-4, 5.0], [0, 1] },               // 1e-4 is within 1e-12·1e9 = 1e-3
        { [4.0, 0.0, 4.0, 0.0, 4.0, 0.0, 4.0, 0.0, 4.0, 0.0, 4.0, 4.0], [0, 2, 4, 6, 8, 10, 11] },
    };

    [Theory]
    [MemberData(nameof(TiedMaxima))]
    public void Tied_maxima_share_first_place_and_each_is_served_about_one_in_k(double[] scores, int[] tied)
    {
        const int draws = 12_000;
        var k = tied.Length;
        var random = new Random(1234 + k);
        var served = new int[scores.Length];

        for (var draw = 0; draw < draws; draw++)
        {
            var ranking = Rankings.Greedy(scores, random);
            served[ranking.Order[0]]++;
            if (draw < 200)
            {
                for (var i = 0; i < scores.Length; i++) Assert.Equal(tied.Contains(i) ? 1.0 / k : 0.0, ranking.Probabilities[i]);
                AssertIsPermutation(ranking.Order, scores.Length);
                // The tied maxima fill the first k places, in some order.
                Assert.Equal(tied, ranking.Order.Take(k).Order());
                AssertFollowersByScore(scores, ranking.Order, k);
            }
        }

        // Each tied candidate is served Binomial(draws, 1/k) times; 5 standard deviations keeps a false
        // failure below 1e-6 per candidate while a bias of a few percent would still show.
        var expected = (double)draws / k;
        var tolerance = 5 * Math.Sqrt(draws * (1.0 / k) * (1 - 1.0 / k));
        for (var i = 0; i < scores.Length; i++)
        {
            if (tied.Contains(i))
            {
                Assert.True(Math.Abs(served[i] - expected) <= tolerance,
                    $"candidate {i} served {served[i]} times, expected {expected:F0} ± {tolerance:F0}");
            }
            else
            {
                Assert.Equal(0, served[i]);
            }
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(3, 17)]
    [InlineData(4, 50)]
    public void Probabilities_sum_to_one_and_order_is_a_permutation(int seed, int count)
    {
        var random = new Random(seed);
        for (var trial = 0; trial < 100; trial++)
        {
            // Few distinct values so ties of every size occur.
            var scores = Enumerable.Range(0, count).Select(_ => (double)random.Next(0, 4) - 1.5).ToArray();

            var ranking = Rankings.Greedy(scores, random);

            Assert.Equal(1.0, ranking.Probabilities.Sum(), 12);
            Assert.All(ranking.Probabilities, p => Assert.InRange(p, 0.0, 1.0));
            AssertIsPermutation(ranking.Order, count);
            Assert.Equal(scores.Max(), scores[ranking.Order[0]]);
            Assert.True(ranking.Probabilities[ranking.Order[0]] > 0);
        }
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Non_finite_scores_are_rejected(double bad)
    {
        var random = new Random(5);

        Assert.Throws<ArgumentException>(() => Rankings.Greedy([1.0, bad, 0.5], random));
        Assert.Throws<ArgumentException>(() => Rankings.Greedy([bad], random));
    }

    [Fact]
    public void No_candidates_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => Rankings.Greedy([], new Random(5)));
    }

    private static void AssertIsPermutation(int[] order, int count)
    {
        Assert.Equal(count, order.Length);
        Assert.Equal(Enumerable.Range(0, count), order.Order());
    }

    /// <summary>After the first <paramref name="top"/> places, candidates follow by score, highest first.</summary>
    private static void AssertFollowersByScore(double[] scores, int[] order, int top)
    {
        for (var p = top + 1; p < order.Length; p++) Assert.True(scores[order[p - 1]] >= scores[order[p]]);
        for (var p = top; p < order.Length; p++) Assert.True(scores[order[p]] < scores[order[0]]);
    }
}
