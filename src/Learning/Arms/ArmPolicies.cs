using Actors.Learning.Bandits;
using MathNet.Numerics.Distributions;

namespace Actors.Learning.Arms;

/// <summary>A non-contextual bandit over a fixed number of arms, as the simulator and cold-start paths use it.</summary>
public interface IArmPolicy
{
    string Name { get; }

    int Arms { get; }

    int Choose(Random random);

    void Update(int arm, double reward);
}

/// <summary>An arm's record: how often it paid off how much. Rewards are success probabilities in [0, 1].</summary>
public readonly record struct ArmStat(long Pulls, double Rewards)
{
    public double Mean => Pulls == 0 ? 0 : Rewards / Pulls;

    public double Failures => Pulls - Rewards;

    public ArmStat Add(double reward)
    {
        if (!double.IsFinite(reward) || reward is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(reward), reward, "Arm rewards are in [0, 1].");
        return new ArmStat(Pulls + 1, Rewards + reward);
    }
}

/// <summary>
/// The decision rules of the non-contextual policies, over the arms on offer. The simulator's policies and
/// the service's per-tip policies both call these, so the simulator measures the code that serves.
/// </summary>
public static class ArmRules
{
    /// <summary>UCB1: untried arms first (shared alike), else the highest mean + sqrt(2 ln N / n), ties shared.</summary>
    public static double[] Ucb1Distribution(ReadOnlySpan<ArmStat> arms)
    {
        var probabilities = new double[arms.Length];
        var untried = 0;
        long total = 0;
        foreach (var arm in arms)
        {
            if (arm.Pulls == 0) untried++;
            total += arm.Pulls;
        }
        if (untried > 0)
        {
            for (var i = 0; i < arms.Length; i++) probabilities[i] = arms[i].Pulls == 0 ? 1.0 / untried : 0;
            return probabilities;
        }
        return Rankings.Greedy(Ucb1Indices(arms, total), TieBreakNotUsed).Probabilities;
    }

    /// <summary>Mean + sqrt(2 ln N / n) per arm; an untried arm's index is +∞.</summary>
    public static double[] Ucb1Indices(ReadOnlySpan<ArmStat> arms, long total)
    {
        var logTotal = Math.Log(Math.Max(1, total));
        var indices = new double[arms.Length];
        for (var i = 0; i < arms.Length; i++)
        {
            indices[i] = arms[i].Pulls == 0 ? double.PositiveInfinity : arms[i].Mean + Math.Sqrt(2 * logTotal / arms[i].Pulls);
        }
        return indices;
    }

    /// <summary>One round of Beta-Bernoulli Thompson sampling: a Beta(1 + successes, 1 + failures) draw per arm; the highest wins, ties at random.</summary>
    public static int ThompsonDraw(ReadOnlySpan<ArmStat> arms, Random random)
    {
        var best = -1;
        var bestDraw = double.NegativeInfinity;
        var ties = 0;
        for (var i = 0; i < arms.Length; i++)
        {
            // Beta(1, 1) is the uniform distribution: an untried arm (most of a user's tips) needs no Gamma draws.
            var draw = arms[i].Pulls == 0 ? random.NextDouble() : Beta.Sample(random, 1 + arms[i].Rewards, 1 + arms[i].Failures);
            if (draw > bestDraw)
            {
                (best, bestDraw, ties) = (i, draw, 1);
            }
            else if (draw == bestDraw && random.Next(++ties) == 0)
            {
                best = i;
            }
        }
        return best;
    }

    /// <summary>ε now: constant, or with decay min(1, ε·K / t), the schedule of Auer et al. that keeps exploring often enough to stay consistent.</summary>
    public static double EpsilonAt(double epsilon, bool decay, int arms, long rounds) =>
        decay ? Math.Min(1, epsilon * arms / Math.Max(1, rounds)) : epsilon;

    public static void ValidateEpsilon(double epsilon, bool decay)
    {
        if (!double.IsFinite(epsilon) || epsilon < 0 || (epsilon > 1 && !decay))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be in [0, 1] (or a positive constant with decay).");
        }
    }

    // Greedy over UCB indices only needs the probabilities, which do not depend on the tie-break draws.
    private static readonly Random TieBreakNotUsed = new(0);
}

/// <summary>Pull counts and reward sums per arm, shared by the policies below.</summary>
public abstract class ArmStatistics : IArmPolicy
{
    protected ArmStatistics(int arms)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arms, 1);
        Stats = new ArmStat[arms];
    }

    public abstract string Name { get; }

    public int Arms => Stats.Length;

    public ArmStat[] Stats { get; }

    public long Total { get; private set; }

    public abstract int Choose(Random random);

    public void Update(int arm, double reward)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(arm);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(arm, Arms);
        Stats[arm] = Stats[arm].Add(reward);
        Total++;
    }

    /// <summary>The arm with the highest value, ties broken uniformly at random.</summary>
    protected int ArgMax(Func<int, double> value, Random random)
    {
        var best = -1;
        var bestValue = double.NegativeInfinity;
        var ties = 0;
        for (var arm = 0; arm < Arms; arm++)
        {
            var v = value(arm);
            if (v > bestValue)
            {
                (best, bestValue, ties) = (arm, v, 1);
            }
            else if (v == bestValue && random.Next(++ties) == 0)
            {
                best = arm;
            }
        }
        return best;
    }
}

/// <summary>UCB1 (Auer, Cesa-Bianchi and Fischer, 2002): every arm once, then the highest mean + sqrt(2 ln t / n).</summary>
public sealed class Ucb1(int arms) : ArmStatistics(arms)
{
    public override string Name => "ucb1";

    public override int Choose(Random random) => Distributions.SampleIndex(ArmRules.Ucb1Distribution(Stats), random);
}

/// <summary>ε-greedy: a uniformly random arm with probability ε (see <see cref="ArmRules.EpsilonAt"/>), else the best mean.</summary>
public sealed class EpsilonGreedy : ArmStatistics
{
    private readonly double _epsilon;
    private readonly bool _decay;

    public EpsilonGreedy(int arms, double epsilon, bool decay = false) : base(arms)
    {
        ArmRules.ValidateEpsilon(epsilon, decay);
        _epsilon = epsilon;
        _decay = decay;
    }

    public override string Name => _decay ? "epsilon-greedy-decay" : "epsilon-greedy";

    public double CurrentEpsilon => ArmRules.EpsilonAt(_epsilon, _decay, Arms, Total);

    public override int Choose(Random random) =>
        random.NextDouble() < CurrentEpsilon ? random.Next(Arms) : ArgMax(arm => Stats[arm].Mean, random);
}

/// <summary>Beta-Bernoulli Thompson sampling (Thompson 1933; Chapelle and Li 2011), by <see cref="ArmRules.ThompsonDraw"/>.</summary>
public sealed class BetaBernoulliThompson(int arms) : ArmStatistics(arms)
{
    public override string Name => "thompson";

    public override int Choose(Random random) => ArmRules.ThompsonDraw(Stats, random);
}

/// <summary>The Bernoulli setting of Chapelle and Li (2011) and the regret yardsticks for it.</summary>
public static class BernoulliBandit
{
    /// <summary>KL(p ‖ q) between Bernoulli distributions.</summary>
    public static double KullbackLeibler(double p, double q)
    {
        static double Term(double a, double b) => a == 0 ? 0 : a * Math.Log(a / b);
        return Term(p, q) + Term(1 - p, 1 - q);
    }

    /// <summary>The Lai–Robbins lower bound on regret at horizon T: ln(T) · Σ_{i≠*} Δᵢ / KL(pᵢ ‖ p*).</summary>
    public static double LaiRobbins(IReadOnlyList<double> means, long horizon)
    {
        var best = means.Max();
        return Math.Log(horizon) * means.Where(p => p < best).Sum(p => (best - p) / KullbackLeibler(p, best));
    }

    /// <summary>
    /// Plays <paramref name="policy"/> for <paramref name="horizon"/> rounds against arms paying 1 with the given
    /// probabilities; returns the expected (pseudo-)regret Σ (p* − p_chosen) after each round listed in <paramref name="checkpoints"/>.
    /// </summary>
    public static double[] Run(IArmPolicy policy, IReadOnlyList<double> means, long horizon, Random random, IReadOnlyList<long> checkpoints)
    {
        if (means.Count != policy.Arms) throw new ArgumentException("One mean per arm is needed.", nameof(means));
        var best = means.Max();
        var regret = 0.0;
        var curve = new double[checkpoints.Count];
        var next = 0;
        for (long t = 1; t <= horizon; t++)
        {
            var arm = policy.Choose(random);
            policy.Update(arm, random.NextDouble() < means[arm] ? 1 : 0);
            regret += best - means[arm];
            while (next < checkpoints.Count && checkpoints[next] == t) curve[next++] = regret;
        }
        return curve;
    }
}
