namespace Actors.Learning.Bandits;

/// <summary>
/// Rankings from a policy's full probability distribution over the candidates, and the checks every such
/// distribution must pass. The served candidate is drawn from the distribution, so the probability logged
/// with it is exactly the chance it had.
/// </summary>
public static class Distributions
{
    public const double SumTolerance = 1e-9;

    /// <summary>Throws unless the probabilities are finite, non-negative and sum to 1.</summary>
    public static void Validate(ReadOnlySpan<double> probabilities)
    {
        if (probabilities.IsEmpty) throw new ArgumentException("A distribution needs at least one candidate.");
        var sum = 0.0;
        foreach (var p in probabilities)
        {
            if (!double.IsFinite(p) || p < 0) throw new ArgumentException($"Probability {p} is not finite and non-negative.");
            sum += p;
        }
        if (Math.Abs(sum - 1) > SumTolerance) throw new ArgumentException($"Probabilities sum to {sum}, not 1.");
    }

    /// <summary>Every candidate alike.</summary>
    public static double[] Uniform(int count) => Enumerable.Repeat(1.0 / count, count).ToArray();

    /// <summary>With probability ε a uniformly random candidate, else the best by <paramref name="values"/> (ties shared).</summary>
    public static double[] EpsilonGreedy(double[] values, double epsilon)
    {
        if (!double.IsFinite(epsilon) || epsilon is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be in [0, 1].");
        var greedy = Rankings.Greedy(values, new Random(0)).Probabilities;
        var probabilities = new double[values.Length];
        for (var i = 0; i < values.Length; i++) probabilities[i] = epsilon / values.Length + (1 - epsilon) * greedy[i];
        return probabilities;
    }

    /// <summary>Softmax with temperature τ: p ∝ exp(value / τ), computed stably.</summary>
    public static double[] Softmax(double[] values, double temperature)
    {
        if (!double.IsFinite(temperature) || temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "τ must be > 0.");
        var max = values.Max();
        var weights = values.Select(v => Math.Exp((v - max) / temperature)).ToArray();
        var total = weights.Sum();
        return weights.Select(w => w / total).ToArray();
    }

    /// <summary>Draws the served candidate from <paramref name="probabilities"/>; the rest follow by <paramref name="values"/>.</summary>
    public static Ranking Sample(double[] values, double[] probabilities, Random random)
    {
        var chosen = SampleIndex(probabilities, random);
        var rest = Enumerable.Range(0, values.Length).Where(i => i != chosen).OrderByDescending(i => values[i]);
        return new Ranking([chosen, .. rest], values, probabilities);
    }

    /// <summary>An index drawn with the given (validated) probabilities; one with none is never drawn.</summary>
    public static int SampleIndex(double[] probabilities, Random random)
    {
        Validate(probabilities);
        var u = random.NextDouble();
        var chosen = probabilities.Length - 1;
        for (var i = 0; i < probabilities.Length; i++)
        {
            u -= probabilities[i];
            if (u < 0 && probabilities[i] > 0)
            {
                chosen = i;
                break;
            }
        }
        while (probabilities[chosen] == 0) chosen--; // rounding left u ≥ 0: the last candidate with any chance
        return chosen;
    }

    /// <summary>How often each index won across <paramref name="draws"/> rounds of <paramref name="winner"/>: a policy that samples
    /// its choice (Thompson sampling) made into a distribution whose probabilities are exact, so they can be logged.</summary>
    public static double[] Frequencies(int count, int draws, Func<int> winner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 1);
        var probabilities = new double[count];
        for (var d = 0; d < draws; d++) probabilities[winner()] += 1.0 / draws;
        return probabilities;
    }
}
