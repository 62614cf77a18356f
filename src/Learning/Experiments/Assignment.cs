using System.IO.Hashing;
using System.Text;
using MathNet.Numerics.Distributions;

namespace Actors.Learning.Experiments;

/// <summary>A variant of an experiment and its share of the traffic (weights need not sum to 1).</summary>
public sealed record Variant(string Name, double Weight);

/// <summary>
/// Deterministic assignment of users to variants: a stable 64-bit hash of (experiment, salt, user) picks a
/// point in [0, 1) and the variants' weights cut the interval. The same user lands in the same variant in
/// every process and release; changing the salt re-randomises on purpose. (Keeping a user's variant when
/// the weights change is the caller's job: it records the first assignment and reuses it.)
/// </summary>
public static class Assignment
{
    public static string Assign(string experiment, string userId, IReadOnlyList<Variant> variants, string salt = "")
    {
        if (variants.Count == 0) throw new ArgumentException("An experiment needs at least one variant.", nameof(variants));
        var total = 0.0;
        foreach (var v in variants)
        {
            if (!double.IsFinite(v.Weight) || v.Weight < 0) throw new ArgumentException($"Variant {v.Name} has a bad weight {v.Weight}.", nameof(variants));
            total += v.Weight;
        }
        if (total <= 0) throw new ArgumentException("The variants' weights sum to zero.", nameof(variants));

        var point = UnitInterval(experiment, salt, userId) * total;
        foreach (var v in variants)
        {
            if (point < v.Weight) return v.Name;
            point -= v.Weight;
        }
        return variants.Last(v => v.Weight > 0).Name;
    }

    /// <summary>A uniform point in [0, 1) from the hash of the three strings.</summary>
    public static double UnitInterval(string experiment, string salt, string userId)
    {
        var hash = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{experiment}\u001f{salt}\u001f{userId}"));
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>
    /// Sample-ratio-mismatch check: the p-value of a chi-square goodness-of-fit test of the observed counts
    /// against the counts the weights expect. A small p-value (say below 0.001) means the split is broken.
    /// </summary>
    public static double SampleRatioPValue(IReadOnlyList<long> observed, IReadOnlyList<double> weights)
    {
        if (observed.Count != weights.Count || observed.Count < 2) throw new ArgumentException("One count per variant, at least two variants.");
        var n = observed.Sum();
        if (n == 0) return 1;
        var totalWeight = weights.Sum();
        var chiSquare = 0.0;
        for (var i = 0; i < observed.Count; i++)
        {
            var expected = n * weights[i] / totalWeight;
            if (expected == 0) continue;
            chiSquare += (observed[i] - expected) * (observed[i] - expected) / expected;
        }
        return 1 - ChiSquared.CDF(observed.Count - 1, chiSquare);
    }
}
