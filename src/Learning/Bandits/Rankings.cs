namespace Actors.Learning.Bandits;

/// <summary>Turns scores into a serving order for a greedy policy, breaking ties at random.</summary>
public static class Rankings
{
    /// <summary>Scores this close (relative) count as tied, so rounding noise cannot pick a winner.</summary>
    public const double TieTolerance = 1e-12;

    /// <summary>
    /// The highest-scoring candidates (within <see cref="TieTolerance"/>) share the first place with equal
    /// probability; the one served is drawn among them and the others follow by score.
    /// </summary>
    public static Ranking Greedy(double[] scores, Random random)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(random);
        if (scores.Length == 0) throw new ArgumentException("At least one candidate is needed.", nameof(scores));

        var best = double.NegativeInfinity;
        foreach (var score in scores)
        {
            if (!double.IsFinite(score)) throw new ArgumentException("Scores must be finite.", nameof(scores));
            if (score > best) best = score;
        }

        var tolerance = TieTolerance * Math.Max(1, Math.Abs(best));
        var tiebreak = new double[scores.Length];
        var top = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            tiebreak[i] = random.NextDouble();
            if (best - scores[i] <= tolerance) top++;
        }

        var order = Enumerable.Range(0, scores.Length).ToArray();
        Array.Sort(order, (x, y) =>
        {
            var xTop = best - scores[x] <= tolerance;
            var yTop = best - scores[y] <= tolerance;
            if (xTop != yTop) return xTop ? -1 : 1;
            var byScore = xTop ? 0 : scores[y].CompareTo(scores[x]);
            return byScore != 0 ? byScore : tiebreak[x].CompareTo(tiebreak[y]);
        });

        var probabilities = new double[scores.Length];
        for (var i = 0; i < scores.Length; i++)
        {
            probabilities[i] = best - scores[i] <= tolerance ? 1.0 / top : 0.0;
        }
        return new Ranking(order, scores, probabilities);
    }

    /// <summary>
    /// The index of the highest value, ties (within <see cref="TieTolerance"/>) drawn uniformly; allocation-free
    /// for per-draw use. The tolerance matters: equal candidates sampled through rounding-different arithmetic
    /// would otherwise always resolve the same way.
    /// </summary>
    public static int ArgMax(ReadOnlySpan<double> values, Random random)
    {
        var best = 0;
        var bestValue = values[0];
        var ties = 1;
        for (var i = 1; i < values.Length; i++)
        {
            var tolerance = TieTolerance * Math.Max(1, Math.Abs(bestValue));
            if (values[i] > bestValue + tolerance)
            {
                (best, bestValue, ties) = (i, values[i], 1);
            }
            else if (values[i] >= bestValue - tolerance && random.Next(++ties) == 0)
            {
                best = i;
            }
        }
        return best;
    }
}
