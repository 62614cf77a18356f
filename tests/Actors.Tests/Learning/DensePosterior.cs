using Actors.Learning.Bandits;
using MathNet.Numerics.LinearAlgebra;

namespace Actors.Tests.Learning;

/// <summary>
/// The ridge posterior with a per-feature prior, written the slow and obvious way: keep every rewarded vector by
/// name and solve θ = (diag(p) + Σxxᵀ)⁻¹(p∘μ + Σrx) densely (Math.NET LU) on demand. The model under test keeps
/// A⁻¹ by Sherman–Morrison and Cholesky; agreement with this is what says its bookkeeping is right.
/// </summary>
internal sealed class DensePosterior
{
    private readonly List<string> _names = [];
    private readonly Dictionary<string, (double Mean, double Precision)> _prior = new(StringComparer.Ordinal);
    private readonly List<(NamedFeature[] X, double Reward)> _history = [];

    /// <summary>Declares a feature with the prior it entered the model with (first declaration wins, as in the model).</summary>
    public void Enter(string name, double mean, double precision)
    {
        if (_prior.ContainsKey(name)) return;
        _names.Add(name);
        _prior[name] = (mean, precision);
    }

    /// <summary>Moves a feature's prior mean only (what <see cref="LinUcb.UsePrior"/> does); its precision stays.</summary>
    public void SetMean(string name, double mean) => _prior[name] = (mean, _prior[name].Precision);

    public IReadOnlyList<string> Names => _names;

    public void Add(NamedFeature[] x, double reward) => _history.Add((x, reward));

    public (Matrix<double> A, Vector<double> B) System()
    {
        var d = _names.Count;
        var index = _names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        var a = Matrix<double>.Build.Dense(d, d);
        var b = Vector<double>.Build.Dense(d);
        for (var i = 0; i < d; i++)
        {
            var (mean, precision) = _prior[_names[i]];
            a[i, i] = precision;
            b[i] = precision * mean;
        }
        foreach (var (x, reward) in _history)
        {
            foreach (var f in x)
            {
                b[index[f.Name]] += reward * f.Value;
                foreach (var g in x) a[index[f.Name], index[g.Name]] += f.Value * g.Value;
            }
        }
        return (a, b);
    }

    public Dictionary<string, double> Theta()
    {
        var (a, b) = System();
        var theta = a.Solve(b);
        return _names.Select((n, i) => (n, theta[i])).ToDictionary(p => p.n, p => p.Item2, StringComparer.Ordinal);
    }

    /// <summary>θᵀx and xᵀA⁻¹x; a feature not entered counts with <paramref name="unseen"/>'s mean and precision.</summary>
    public (double Mean, double Variance) Estimate(NamedFeature[] x, Func<string, (double Mean, double Precision)> unseen)
    {
        var (a, _) = System();
        var theta = Theta();
        var v = Vector<double>.Build.Dense(_names.Count);
        double mean = 0, variance = 0;
        foreach (var f in x)
        {
            var i = _names.IndexOf(f.Name);
            if (i >= 0)
            {
                v[i] += f.Value;
                mean += theta[f.Name] * f.Value;
                continue;
            }
            var (m, p) = unseen(f.Name);
            mean += m * f.Value;
            variance += f.Value * f.Value / p;
        }
        variance += v * a.Solve(v);
        return (mean, variance);
    }

    public static void AssertClose(double expected, double actual, double relativeTolerance, string what) =>
        Assert.True(Math.Abs(expected - actual) <= relativeTolerance * Math.Max(1, Math.Abs(expected)),
            $"{what}: expected {expected:R}, got {actual:R}");

    public static void AssertWeights(IReadOnlyDictionary<string, double> expected, IReadOnlyDictionary<string, double> actual, double relativeTolerance)
    {
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        var scale = Math.Max(1, expected.Values.Max(Math.Abs));
        foreach (var (name, value) in expected)
        {
            Assert.True(Math.Abs(value - actual[name]) <= relativeTolerance * scale, $"θ[{name}]: expected {value:R}, got {actual[name]:R}");
        }
    }

    /// <summary>A seeded sparse vector over <paramref name="pool"/>: 1–6 names, values in [-1, 1].</summary>
    public static NamedFeature[] RandomVector(Random random, IReadOnlyList<string> pool)
    {
        var count = random.Next(1, Math.Min(7, pool.Count + 1));
        return pool.OrderBy(_ => random.Next()).Take(count)
            .Select(n => new NamedFeature(n, Math.Round(random.NextDouble() * 2 - 1, 3))).ToArray();
    }

    public static NamedBatch Batch(NamedFeature[] shared, params NamedFeature[][] candidates)
    {
        var offsets = new List<int> { 0 };
        foreach (var c in candidates) offsets.Add(offsets[^1] + c.Length);
        return new NamedBatch(shared, candidates.SelectMany(c => c).ToArray(), offsets.ToArray());
    }
}
