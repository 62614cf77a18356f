namespace Actors.Learning.Bandits;

public sealed record LinUcbOptions
{
    /// <summary>Width of the confidence bonus: higher explores more.</summary>
    public double Alpha { get; init; } = 1.0;

    /// <summary>Ridge regulariser: A starts as Lambda·I.</summary>
    public double Lambda { get; init; } = 1.0;

    /// <summary>Rebuild A⁻¹ from A after this many rank-one updates, bounding rounding drift.</summary>
    public int RefactorEvery { get; init; } = 256;

    public void Validate()
    {
        if (!double.IsFinite(Alpha) || Alpha < 0) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be finite and >= 0.");
        if (!double.IsFinite(Lambda) || Lambda <= 0) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "Lambda must be finite and > 0.");
        if (RefactorEvery < 1) throw new ArgumentOutOfRangeException(nameof(RefactorEvery), RefactorEvery, "RefactorEvery must be >= 1.");
    }
}

/// <summary>What a LinUCB model persists: names (never process-local ids), A and b.</summary>
/// <param name="A">The d×d design matrix, row-major.</param>
public sealed record LinUcbState(string[] FeatureNames, double[] A, double[] B, long Updates);

/// <summary>
/// LinUCB (Li, Chu, Langford and Schapire, 2010) with one ridge model over a feature space that grows
/// as new feature names appear: an unseen feature behaves as a fresh row of Lambda·I, so scoring needs
/// no resize and training adds the dimension. Scores are θᵀx + α·sqrt(xᵀA⁻¹x).
/// A⁻¹ is kept by Sherman–Morrison updates on flat arrays (no allocation per update), which is why this
/// is written out here instead of going through a general matrix library.
/// </summary>
public sealed class LinUcb : IContextualBandit
{
    public const string Name = "linucb";

    private readonly LinUcbOptions _options;
    private readonly FeatureSpace _space;
    private readonly List<string> _names = [];
    private int[] _localOf = [];       // global id -> local index + 1 (0: not in the model)
    private int[] _globalOf = new int[8];
    private int _capacity = 8;
    private int _d;
    private double[] _a;
    private double[] _aInv;
    private double[] _b;
    private double[] _theta;
    private double[] _scratch;
    private int _sinceRefactor;

    public LinUcb(LinUcbOptions? options = null, FeatureSpace? space = null)
    {
        _options = options ?? new LinUcbOptions();
        _options.Validate();
        _space = space ?? FeatureSpace.Shared;
        _a = new double[_capacity * _capacity];
        _aInv = new double[_capacity * _capacity];
        _b = new double[_capacity];
        _theta = new double[_capacity];
        _scratch = new double[_capacity];
    }

    public string PolicyName => Name;

    public IReadOnlyList<string> FeatureNames => _names;

    public long Updates { get; private set; }

    public int Dimension => _d;

    public static LinUcb FromState(LinUcbState state, LinUcbOptions? options = null, FeatureSpace? space = null)
    {
        var d = state.FeatureNames.Length;
        if (state.A.Length != d * d || state.B.Length != d)
        {
            throw new ArgumentException($"State of dimension {d} needs A of {d * d} and b of {d} values.", nameof(state));
        }
        var model = new LinUcb(options, space);
        foreach (var name in state.FeatureNames) model.AddDimension(model._space.Intern(name));
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++) model._a[i * model._capacity + j] = state.A[i * d + j];
            model._b[i] = state.B[i];
        }
        model.Updates = state.Updates;
        model.Refactor();
        return model;
    }

    public LinUcbState ToState()
    {
        var a = new double[_d * _d];
        for (var i = 0; i < _d; i++) Array.Copy(_a, i * _capacity, a, i * _d, _d);
        return new LinUcbState(_names.ToArray(), a, _b.AsSpan(0, _d).ToArray(), Updates);
    }

    public Ranking Rank(CandidateBatch candidates, Random random) =>
        Rankings.Greedy(Score(candidates), random);

    /// <summary>Upper confidence bound of each candidate: θᵀx + α·sqrt(xᵀA⁻¹x).</summary>
    public double[] Score(CandidateBatch candidates)
    {
        var (means, variances) = Estimate(candidates);
        var scores = new double[means.Length];
        for (var c = 0; c < scores.Length; c++) scores[c] = means[c] + _options.Alpha * Math.Sqrt(variances[c]);
        return scores;
    }

    /// <summary>
    /// The ridge estimate of each candidate's reward, θᵀx, and its variance factor xᵀA⁻¹x: what every
    /// policy over this model (UCB, ε-greedy, softmax, Thompson) builds its choice from.
    /// </summary>
    public (double[] Means, double[] Variances) Estimate(CandidateBatch candidates)
    {
        var lambdaInv = 1 / _options.Lambda;
        // u = A⁻¹s for the shared part once, so each candidate costs O(nnz²) rather than O(d²).
        var u = _scratch;
        Array.Clear(u, 0, _d);
        double sharedMean = 0, sharedVariance = 0;
        foreach (var f in candidates.Shared)
        {
            var k = LocalIndex(f.Id);
            if (k < 0)
            {
                sharedVariance += f.Value * f.Value * lambdaInv;
                continue;
            }
            sharedMean += _theta[k] * f.Value;
            var row = k * _capacity;
            for (var j = 0; j < _d; j++) u[j] += _aInv[row + j] * f.Value;
        }
        foreach (var f in candidates.Shared)
        {
            var k = LocalIndex(f.Id);
            if (k >= 0) sharedVariance += u[k] * f.Value;
        }

        var means = new double[candidates.Count];
        var variances = new double[candidates.Count];
        for (var c = 0; c < means.Length; c++)
        {
            var own = candidates.Candidate(c);
            double mean = sharedMean, variance = sharedVariance;
            for (var p = 0; p < own.Length; p++)
            {
                var k = LocalIndex(own[p].Id);
                var v = own[p].Value;
                if (k < 0)
                {
                    variance += v * v * lambdaInv;
                    continue;
                }
                mean += _theta[k] * v;
                variance += 2 * u[k] * v;
                var row = k * _capacity;
                for (var q = 0; q < own.Length; q++)
                {
                    var l = LocalIndex(own[q].Id);
                    if (l >= 0) variance += v * _aInv[row + l] * own[q].Value;
                }
            }
            means[c] = mean;
            variances[c] = Math.Max(0, variance);
        }
        return (means, variances);
    }

    /// <summary>
    /// The posterior covariance factor of the candidates' rewards, Kᵢⱼ = xᵢᵀA⁻¹xⱼ (n×n, row-major): the
    /// candidates share features, so their sampled rewards move together. Linear Thompson sampling draws from N(θᵀx, v²K).
    /// A⁻¹ times each candidate's own features is formed once (O(n·nnz·d)), so each pair costs O(nnz), not O(nnz²) lookups.
    /// A feature the model has not seen has its prior variance 1/λ and no covariance with any other.
    /// </summary>
    public double[] Covariance(CandidateBatch candidates)
    {
        var n = candidates.Count;
        var shared = candidates.Shared;
        var sharedLocal = LocalIndices(shared);
        var sharedTimesAInv = TimesAInv(shared, sharedLocal);
        var sharedTerm = Bilinear(shared, sharedLocal, sharedTimesAInv, shared);

        var ownLocal = new int[n][];
        var ownTimesAInv = new double[n][];
        var cross = new double[n];
        for (var c = 0; c < n; c++)
        {
            var own = candidates.Candidate(c);
            ownLocal[c] = LocalIndices(own);
            ownTimesAInv[c] = TimesAInv(own, ownLocal[c]);
            cross[c] = Bilinear(own, ownLocal[c], sharedTimesAInv, shared);
        }

        var k = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            var own = candidates.Candidate(i);
            for (var j = 0; j <= i; j++)
            {
                var value = sharedTerm + cross[i] + cross[j] + Bilinear(own, ownLocal[i], ownTimesAInv[j], candidates.Candidate(j));
                k[i * n + j] = value;
                k[j * n + i] = value;
            }
        }
        return k;
    }

    private int[] LocalIndices(ReadOnlySpan<SparseFeature> x)
    {
        var local = new int[x.Length];
        for (var p = 0; p < x.Length; p++) local[p] = LocalIndex(x[p].Id);
        return local;
    }

    /// <summary>A⁻¹x over the model's known dimensions.</summary>
    private double[] TimesAInv(ReadOnlySpan<SparseFeature> x, int[] local)
    {
        var product = new double[_d];
        for (var p = 0; p < x.Length; p++)
        {
            if (local[p] < 0) continue;
            var row = local[p] * _capacity;
            var v = x[p].Value;
            for (var j = 0; j < _d; j++) product[j] += _aInv[row + j] * v;
        }
        return product;
    }

    /// <summary>xᵀA⁻¹y given A⁻¹y's known part, plus the prior terms of unseen features the two share.</summary>
    private double Bilinear(ReadOnlySpan<SparseFeature> x, int[] xLocal, double[] yTimesAInv, ReadOnlySpan<SparseFeature> y)
    {
        var sum = 0.0;
        for (var p = 0; p < x.Length; p++)
        {
            if (xLocal[p] >= 0)
            {
                sum += x[p].Value * yTimesAInv[xLocal[p]];
                continue;
            }
            foreach (var q in y)
            {
                if (q.Id == x[p].Id) sum += x[p].Value * q.Value / _options.Lambda;
            }
        }
        return sum;
    }

    public void Update(ReadOnlySpan<SparseFeature> features, double reward)
    {
        if (!double.IsFinite(reward)) throw new ArgumentOutOfRangeException(nameof(reward), reward, "Reward must be finite.");
        Span<int> local = features.Length <= 64 ? stackalloc int[features.Length] : new int[features.Length];
        for (var p = 0; p < features.Length; p++)
        {
            if (!double.IsFinite(features[p].Value)) throw new ArgumentException("Feature values must be finite.", nameof(features));
            var k = LocalIndex(features[p].Id);
            local[p] = k >= 0 ? k : AddDimension(features[p].Id);
        }

        for (var p = 0; p < features.Length; p++)
        {
            var row = local[p] * _capacity;
            for (var q = 0; q < features.Length; q++) _a[row + local[q]] += features[p].Value * features[q].Value;
            _b[local[p]] += reward * features[p].Value;
        }

        Updates++;
        if (++_sinceRefactor >= _options.RefactorEvery)
        {
            Refactor();
            return;
        }

        // Sherman–Morrison: (A + xxᵀ)⁻¹ = A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x); A⁻¹ is symmetric.
        var u = _scratch;
        Array.Clear(u, 0, _d);
        for (var p = 0; p < features.Length; p++)
        {
            var row = local[p] * _capacity;
            for (var j = 0; j < _d; j++) u[j] += _aInv[row + j] * features[p].Value;
        }
        var denominator = 1.0;
        for (var p = 0; p < features.Length; p++) denominator += features[p].Value * u[local[p]];
        for (var i = 0; i < _d; i++)
        {
            var scale = u[i] / denominator;
            if (scale == 0) continue;
            var row = i * _capacity;
            for (var j = 0; j < _d; j++) _aInv[row + j] -= scale * u[j];
        }
        UpdateTheta();
    }

    /// <summary>θ = A⁻¹b, the ridge estimate of each feature's reward weight, by feature name.</summary>
    public IReadOnlyDictionary<string, double> Weights() =>
        Enumerable.Range(0, _d).ToDictionary(i => _names[i], i => _theta[i]);

    private int LocalIndex(int globalId) =>
        (uint)globalId < (uint)_localOf.Length ? _localOf[globalId] - 1 : -1;

    private int AddDimension(int globalId)
    {
        if (_d == _capacity) Grow(_capacity * 2);
        if (globalId >= _localOf.Length) Array.Resize(ref _localOf, Math.Max(globalId + 1, _localOf.Length * 2));
        var k = _d++;
        _localOf[globalId] = k + 1;
        _globalOf[k] = globalId;
        _names.Add(_space.NameOf(globalId));
        _a[k * _capacity + k] = _options.Lambda;
        _aInv[k * _capacity + k] = 1 / _options.Lambda;
        return k;
    }

    private void Grow(int capacity)
    {
        static double[] Resize(double[] m, int oldCapacity, int newCapacity, int d)
        {
            var grown = new double[newCapacity * newCapacity];
            for (var i = 0; i < d; i++) Array.Copy(m, i * oldCapacity, grown, i * newCapacity, d);
            return grown;
        }

        _a = Resize(_a, _capacity, capacity, _d);
        _aInv = Resize(_aInv, _capacity, capacity, _d);
        Array.Resize(ref _b, capacity);
        Array.Resize(ref _theta, capacity);
        Array.Resize(ref _scratch, capacity);
        Array.Resize(ref _globalOf, capacity);
        _capacity = capacity;
    }

    private void UpdateTheta()
    {
        for (var i = 0; i < _d; i++)
        {
            var row = i * _capacity;
            double sum = 0;
            for (var j = 0; j < _d; j++) sum += _aInv[row + j] * _b[j];
            _theta[i] = sum;
        }
    }

    /// <summary>Recomputes A⁻¹ from A by Cholesky factorisation (A is symmetric positive definite).</summary>
    private void Refactor()
    {
        _sinceRefactor = 0;
        var n = _d;
        var c = _capacity;
        var l = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = _a[i * c + j];
                for (var k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
                if (i == j)
                {
                    if (sum <= 0) throw new InvalidOperationException("The LinUCB design matrix is not positive definite.");
                    l[i * n + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i * n + j] = sum / l[j * n + j];
                }
            }
        }

        // Solve L Lᵀ X = I column by column.
        var column = new double[n];
        for (var col = 0; col < n; col++)
        {
            for (var i = 0; i < n; i++)
            {
                var sum = i == col ? 1.0 : 0.0;
                for (var k = 0; k < i; k++) sum -= l[i * n + k] * column[k];
                column[i] = sum / l[i * n + i];
            }
            for (var i = n - 1; i >= 0; i--)
            {
                var sum = column[i];
                for (var k = i + 1; k < n; k++) sum -= l[k * n + i] * column[k];
                column[i] = sum / l[i * n + i];
            }
            for (var i = 0; i < n; i++) _aInv[i * c + col] = column[i];
        }
        UpdateTheta();
    }
}
