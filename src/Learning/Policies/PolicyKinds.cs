using Actors.Learning.Arms;
using Actors.Learning.Bandits;
using MathNet.Numerics.Distributions;

namespace Actors.Learning.Policies;

/// <summary>What every policy kind shares: its registered name, kind, inputs and hyperparameters.</summary>
public abstract class Policy(string name, string kind, PolicyInputs inputs, Dictionary<string, double> hyperparameters) : IPolicy
{
    public string Name => name;
    public string Kind => kind;
    public PolicyInputs Inputs => inputs;
    public IReadOnlyDictionary<string, double> Hyperparameters => hyperparameters;

    public abstract PolicyChoice Decide(PolicyInput input, Random random);
}

/// <summary>LinUCB: the highest θᵀx + α·sqrt(xᵀA⁻¹x); ties share the probability.</summary>
public sealed class LinUcbPolicy(string name, double alpha)
    : Policy(name, KindName, PolicyInputs.Contextual, new() { ["alpha"] = alpha })
{
    public const string KindName = "linucb";

    public override PolicyChoice Decide(PolicyInput input, Random random)
    {
        var (means, variances) = (input.Means, input.Variances);
        var values = new double[input.Count];
        for (var c = 0; c < values.Length; c++) values[c] = means[c] + alpha * Math.Sqrt(variances[c]);
        return new PolicyChoice(values, Rankings.Greedy(values, random).Probabilities);
    }
}

/// <summary>
/// Linear Thompson sampling (Agrawal and Goyal, 2013): the candidates' rewards are drawn jointly from the
/// ridge posterior N(θᵀx, v²·xᵢᵀA⁻¹xⱼ) and the highest wins. The chance of each winning has no closed form,
/// so the policy plays the empirical distribution of <c>draws</c> such rounds: the served tip is still
/// distributed exactly as under Thompson sampling, and the logged probability is exact.
/// </summary>
public sealed class LinearThompsonPolicy(string name, double scale, int draws)
    : Policy(name, KindName, PolicyInputs.Contextual, new() { ["scale"] = scale, ["draws"] = draws })
{
    public const string KindName = "linear-thompson";

    public override PolicyChoice Decide(PolicyInput input, Random random)
    {
        var n = input.Count;
        var means = input.Means;
        var factor = Cholesky.OfSemiDefinite(input.Covariance, n);
        // Candidates that share their features make K low-rank: only the factor's nonzero columns need a normal draw.
        var columns = Enumerable.Range(0, n).Where(j => factor[j * n + j] != 0).ToArray();
        var z = new double[columns.Length];
        var sample = new double[n];
        var probabilities = Distributions.Frequencies(n, draws, () =>
        {
            Normal.Samples(random, z, 0, 1);
            for (var i = 0; i < n; i++)
            {
                var s = 0.0;
                for (var c = 0; c < columns.Length && columns[c] <= i; c++) s += factor[i * n + columns[c]] * z[c];
                sample[i] = means[i] + scale * s;
            }
            return Rankings.ArgMax(sample, random);
        });
        return new PolicyChoice(means, probabilities);
    }
}

/// <summary>ε-greedy over the ridge estimates, optionally with ε decaying as the user's rewards accrue (<see cref="ArmRules.EpsilonAt"/>).</summary>
public sealed class EpsilonGreedyPolicy(string name, double epsilon, bool decay)
    : Policy(name, KindName, PolicyInputs.Contextual, new() { ["epsilon"] = ValidEpsilon(epsilon, decay), ["decay"] = decay ? 1 : 0 })
{
    public const string KindName = "epsilon-greedy";

    public override PolicyChoice Decide(PolicyInput input, Random random) => new(
        input.Means,
        Distributions.EpsilonGreedy(input.Means, ArmRules.EpsilonAt(epsilon, decay, input.Count, input.Rounds)));

    private static double ValidEpsilon(double epsilon, bool decay)
    {
        ArmRules.ValidateEpsilon(epsilon, decay);
        return epsilon;
    }
}

/// <summary>Softmax (Boltzmann) exploration over the ridge estimates with temperature τ.</summary>
public sealed class SoftmaxPolicy(string name, double temperature)
    : Policy(name, KindName, PolicyInputs.Contextual, new() { ["temperature"] = temperature })
{
    public const string KindName = "softmax";

    public override PolicyChoice Decide(PolicyInput input, Random random) => new(input.Means, Distributions.Softmax(input.Means, temperature));
}

/// <summary>Every candidate alike: the baseline, and the logging policy that makes every other one evaluable.</summary>
public sealed class UniformPolicy(string name) : Policy(name, KindName, PolicyInputs.Contextual, [])
{
    public const string KindName = "uniform";

    public override PolicyChoice Decide(PolicyInput input, Random random) => new(input.Means, Distributions.Uniform(input.Count));
}

/// <summary>Beta-Bernoulli Thompson sampling per tip, played as the empirical distribution of <c>draws</c> rounds (see <see cref="LinearThompsonPolicy"/>).</summary>
public sealed class BetaThompsonPolicy(string name, int draws)
    : Policy(name, KindName, PolicyInputs.PerTip, new() { ["draws"] = draws })
{
    public const string KindName = "beta-thompson";

    public override PolicyChoice Decide(PolicyInput input, Random random)
    {
        var arms = input.Arms;
        var posteriorMeans = arms.Select(a => (1 + a.Rewards) / (2.0 + a.Pulls)).ToArray();
        return new PolicyChoice(posteriorMeans, Distributions.Frequencies(arms.Length, draws, () => ArmRules.ThompsonDraw(arms, random)));
    }
}

/// <summary>UCB1 per tip: untried tips first, then the highest mean + sqrt(2 ln N / n).</summary>
public sealed class Ucb1Policy(string name) : Policy(name, KindName, PolicyInputs.PerTip, [])
{
    public const string KindName = "ucb1";

    public override PolicyChoice Decide(PolicyInput input, Random random)
    {
        var arms = input.Arms;
        // Untried tips rank first among the rest too: a large finite value keeps the values finite.
        var values = ArmRules.Ucb1Indices(arms, arms.Sum(a => a.Pulls)).Select(v => double.IsPositiveInfinity(v) ? double.MaxValue : v).ToArray();
        return new PolicyChoice(values, ArmRules.Ucb1Distribution(arms));
    }
}

/// <summary>
/// Cholesky factor of a positive semi-definite matrix. Hand-written because the library's factorisation
/// needs a positive definite one, and candidate covariances are often singular (tips with identical features).
/// A pivot that is zero up to rounding leaves its column zero, which still gives L·Lᵀ = K.
/// </summary>
public static class Cholesky
{
    public static double[] OfSemiDefinite(double[] k, int n)
    {
        var l = new double[n * n];
        var scale = 0.0;
        for (var i = 0; i < n; i++) scale = Math.Max(scale, Math.Abs(k[i * n + i]));
        var tolerance = 1e-12 * Math.Max(scale, 1e-300);
        for (var j = 0; j < n; j++)
        {
            var pivot = k[j * n + j];
            for (var p = 0; p < j; p++) pivot -= l[j * n + p] * l[j * n + p];
            if (pivot <= tolerance) continue;
            var root = Math.Sqrt(pivot);
            l[j * n + j] = root;
            for (var i = j + 1; i < n; i++)
            {
                var sum = k[i * n + j];
                for (var p = 0; p < j; p++) sum -= l[i * n + p] * l[j * n + p];
                l[i * n + j] = sum / root;
            }
        }
        return l;
    }
}
