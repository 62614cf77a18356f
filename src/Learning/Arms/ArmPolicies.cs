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

/// <summary>Pull counts and reward sums per arm, shared by the policies below.</summary>
public abstract class ArmStatistics : IArmPolicy
{
    protected ArmStatistics(int arms)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arms, 1);
        Pulls = new long[arms];
        Rewards = new double[arms];
    }

    public abstract string Name { get; }

    public int Arms => Pulls.Length;

    public long[] Pulls { get; }

    public double[] Rewards { get; }

    public long Total { get; private set; }

    public abstract int Choose(Random random);

    public virtual void Update(int arm, double reward)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(arm);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(arm, Arms);
        if (!double.IsFinite(reward)) throw new ArgumentOutOfRangeException(nameof(reward), reward, "Rewards must be finite.");
        Pulls[arm]++;
        Rewards[arm] += reward;
        Total++;
    }

    protected double Mean(int arm) => Pulls[arm] == 0 ? 0 : Rewards[arm] / Pulls[arm];

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
                best = arm;
                bestValue = v;
                ties = 1;
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

    public override int Choose(Random random)
    {
        for (var arm = 0; arm < Arms; arm++)
        {
            if (Pulls[arm] == 0) return arm;
        }
        var logTotal = Math.Log(Total);
        return ArgMax(arm => Mean(arm) + Math.Sqrt(2 * logTotal / Pulls[arm]), random);
    }
}

/// <summary>
/// ε-greedy: a uniformly random arm with probability ε, else the best mean. With decay, ε_t = min(1, ε·K / t),
/// the schedule of Auer et al. that keeps exploring often enough to stay consistent.
/// </summary>
public sealed class EpsilonGreedy : ArmStatistics
{
    private readonly double _epsilon;
    private readonly bool _decay;

    public EpsilonGreedy(int arms, double epsilon, bool decay = false) : base(arms)
    {
        if (!double.IsFinite(epsilon) || epsilon < 0 || (epsilon > 1 && !decay))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be in [0, 1] (or a positive constant with decay).");
        }
        _epsilon = epsilon;
        _decay = decay;
    }

    public override string Name => _decay ? "epsilon-greedy-decay" : "epsilon-greedy";

    public double CurrentEpsilon => _decay ? Math.Min(1, _epsilon * Arms / Math.Max(1, Total)) : _epsilon;

    public override int Choose(Random random) =>
        random.NextDouble() < CurrentEpsilon ? random.Next(Arms) : ArgMax(Mean, random);
}

/// <summary>
/// Beta-Bernoulli Thompson sampling (Thompson 1933; Chapelle and Li 2011): a Beta(1 + successes, 1 + failures)
/// draw per arm, play the highest. Rewards are taken as success probabilities in [0, 1].
/// </summary>
public sealed class BetaBernoulliThompson(int arms) : ArmStatistics(arms)
{
    public override string Name => "thompson";

    public override int Choose(Random random) =>
        ArgMax(arm => Beta.Sample(random, 1 + Rewards[arm], 1 + Pulls[arm] - Rewards[arm]), random);

    public override void Update(int arm, double reward)
    {
        if (reward is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(reward), reward, "Bernoulli rewards are in [0, 1].");
        base.Update(arm, reward);
    }
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
