using MathNet.Numerics.LinearAlgebra.Double;
using MathNet.Numerics.LinearAlgebra.Double.Solvers;
using MathNet.Numerics.LinearAlgebra.Solvers;

namespace Actors.Learning.Bandits;

/// <summary>
/// Rewarded vectors as sufficient statistics by feature name, sparse: the upper triangle of Σxxᵀ, Σrx and the
/// count. What a user's bandit sends the population (its rewards since it last did) and what the population
/// keeps (everyone's).
/// </summary>
public sealed class PriorStatistics
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private readonly List<string> _names = [];
    private readonly List<double> _moment = [];
    private readonly Dictionary<long, double> _gram = [];

    /// <param name="maxFeatures">Names past this many are left out, so no flood of names grows the population model without bound.</param>
    public PriorStatistics(int maxFeatures = int.MaxValue) => MaxFeatures = maxFeatures;

    public int MaxFeatures { get; }

    public long Rewards { get; private set; }

    public int Count => _names.Count;

    public bool IsEmpty => Rewards == 0;

    public IReadOnlyList<string> Names => _names;

    public void Add(ReadOnlySpan<NamedFeature> x, double reward)
    {
        Span<int> ids = x.Length <= 64 ? stackalloc int[x.Length] : new int[x.Length];
        for (var p = 0; p < x.Length; p++) ids[p] = IdOf(x[p].Name);
        for (var p = 0; p < x.Length; p++)
        {
            if (ids[p] < 0) continue;
            _moment[ids[p]] += reward * x[p].Value;
            for (var q = 0; q < x.Length; q++)
            {
                if (ids[q] >= ids[p]) AddGram(ids[p], ids[q], x[p].Value * x[q].Value);
            }
        }
        Rewards++;
    }

    /// <summary>Adds (or with <paramref name="sign"/> −1 takes away) another set of statistics, by name.</summary>
    public void Add(PriorStatisticsData other, int sign = 1)
    {
        var ids = other.Names.Select(IdOf).ToArray();
        for (var i = 0; i < ids.Length; i++)
        {
            if (ids[i] >= 0) _moment[ids[i]] += sign * other.Moment[i];
        }
        for (var e = 0; e < other.Rows.Length; e++)
        {
            var (i, j) = (ids[other.Rows[e]], ids[other.Columns[e]]);
            if (i >= 0 && j >= 0) AddGram(Math.Min(i, j), Math.Max(i, j), sign * other.Values[e]);
        }
        Rewards += sign * other.Rewards;
    }

    public PriorStatisticsData ToData()
    {
        var entries = _gram.OrderBy(e => e.Key).ToArray();
        return new PriorStatisticsData(
            _names.ToArray(),
            _moment.ToArray(),
            entries.Select(e => (int)(e.Key >> 32)).ToArray(),
            entries.Select(e => (int)(e.Key & 0xFFFFFFFF)).ToArray(),
            entries.Select(e => e.Value).ToArray(),
            Rewards);
    }

    public static PriorStatistics From(PriorStatisticsData data, int maxFeatures = int.MaxValue)
    {
        var statistics = new PriorStatistics(maxFeatures);
        statistics.Add(data);
        return statistics;
    }

    /// <summary>
    /// The population prior these statistics give: the mean is the pooled ridge regression over everyone's
    /// rewards, θ = (λI + Σxxᵀ)⁻¹Σrx, solved sparse (BiCGStab, Jacobi-preconditioned, from Math.NET); a feature's
    /// precision is λ + s·n/(n + s), with n = Σx² over the population's rewards and s the configured strength: a
    /// feature the population has barely seen is held loosely, one it knows well with about s rewards' weight.
    /// </summary>
    public PopulationPrior Estimate(double lambda, double strength, long version)
    {
        var d = _names.Count;
        if (d == 0) return new PopulationPrior(version, [], [], []);
        var storage = new List<Tuple<int, int, double>>(_gram.Count * 2 + d);
        var diagonal = new double[d];
        foreach (var (key, value) in _gram)
        {
            var (i, j) = ((int)(key >> 32), (int)(key & 0xFFFFFFFF));
            storage.Add(Tuple.Create(i, j, value));
            if (i == j) diagonal[i] = value;
            else storage.Add(Tuple.Create(j, i, value));
        }
        for (var i = 0; i < d; i++) storage.Add(Tuple.Create(i, i, lambda));
        var a = SparseMatrix.OfIndexed(d, d, storage);
        var b = DenseVector.OfEnumerable(_moment);
        var theta = new DenseVector(d);
        var iterator = new Iterator<double>(new IterationCountStopCriterion<double>(Math.Max(200, 4 * d)), new ResidualStopCriterion<double>(1e-10));
        new BiCgStab().Solve(a, b, theta, iterator, new DiagonalPreconditioner());

        var means = new double[d];
        var precisions = new double[d];
        for (var i = 0; i < d; i++)
        {
            means[i] = double.IsFinite(theta[i]) ? theta[i] : 0;
            var n = Math.Max(0, diagonal[i]);
            precisions[i] = lambda + (strength > 0 ? strength * n / (n + strength) : 0);
        }
        return new PopulationPrior(version, _names, means, precisions);
    }

    private int IdOf(string name)
    {
        if (_index.TryGetValue(name, out var id)) return id;
        if (_names.Count >= MaxFeatures) return -1;
        id = _names.Count;
        _index[name] = id;
        _names.Add(name);
        _moment.Add(0);
        return id;
    }

    private void AddGram(int i, int j, double value)
    {
        var key = ((long)i << 32) | (uint)j;
        _gram[key] = _gram.GetValueOrDefault(key) + value;
    }
}

/// <summary>Sufficient statistics as plain arrays: the upper triangle of Σxxᵀ as (row, column, value) over <see cref="Names"/>.</summary>
public sealed record PriorStatisticsData(string[] Names, double[] Moment, int[] Rows, int[] Columns, double[] Values, long Rewards);
