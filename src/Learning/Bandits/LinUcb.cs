namespace Actors.Learning.Bandits;

public sealed record LinUcbOptions
{
    /// <summary>Width of the confidence bonus of <see cref="LinUcb.Score"/>: higher explores more.</summary>
    public double Alpha { get; init; } = 1.0;

    /// <summary>Ridge regulariser: the precision of a feature the population prior says nothing about.</summary>
    public double Lambda { get; init; } = 1.0;

    /// <summary>Rebuild A⁻¹ from A after this many rank-one updates, bounding rounding drift.</summary>
    public int RefactorEvery { get; init; } = 256;

    /// <summary>
    /// Most features one model holds. Past it, features the model does not have are left out of its updates
    /// (they keep scoring from the prior), so no caller can grow a user's model, its memory or the O(d³)
    /// refactorisation without bound.
    /// </summary>
    public int MaxDimension { get; init; } = 256;

    /// <summary>
    /// Largest |value| or |reward| an update may carry. The gateway admits far less (Limits:MaxFeatureValue);
    /// this guards the model itself, so that no path (a catalog row, a replayed old decision) can push A towards
    /// overflow: 1.3e154 is finite, its square nearly the largest double, and two such updates make A infinite.
    /// </summary>
    public double MaxAbsValue { get; init; } = 1e6;

    public void Validate()
    {
        if (!double.IsFinite(Alpha) || Alpha < 0) throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be finite and >= 0.");
        if (!double.IsFinite(Lambda) || Lambda <= 0) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "Lambda must be finite and > 0.");
        if (RefactorEvery < 1) throw new ArgumentOutOfRangeException(nameof(RefactorEvery), RefactorEvery, "RefactorEvery must be >= 1.");
        if (MaxDimension < 1) throw new ArgumentOutOfRangeException(nameof(MaxDimension), MaxDimension, "MaxDimension must be >= 1.");
        if (!double.IsFinite(MaxAbsValue) || MaxAbsValue <= 0) throw new ArgumentOutOfRangeException(nameof(MaxAbsValue), MaxAbsValue, "MaxAbsValue must be finite and > 0.");
    }
}

/// <summary>
/// What a ridge model persists: feature names (never process-local ids), A = diag(prior precision) + Σxxᵀ,
/// the data part of b (Σrx: the prior's part is added from the current prior, so a new population estimate
/// moves every user without touching their data), the prior precision each feature entered with, and the count
/// of rewards learned.
/// </summary>
/// <param name="A">The d×d design matrix, row-major.</param>
/// <param name="PriorPrecision">Per feature; null for models stored before the population prior, whose diagonal is λ.</param>
public sealed record LinUcbState(string[] FeatureNames, double[] A, double[] B, long Updates, double[]? PriorPrecision = null);

/// <summary>Why an update was not learned.</summary>
public enum UpdateRefusal
{
    None,
    /// <summary>A value or the reward is not finite, or larger in magnitude than <see cref="LinUcbOptions.MaxAbsValue"/>.</summary>
    InputOutOfRange,
    /// <summary>The model after the update would not be finite (or not positive definite).</summary>
    NonFiniteModel,
}

/// <summary>What one update did: learned or refused, and how many of its features the dimension cap left out.</summary>
public readonly record struct UpdateResult(UpdateRefusal Refusal, int DroppedFeatures)
{
    public bool Learned => Refusal == UpdateRefusal.None;
}

/// <summary>
/// A Bayesian ridge regression of reward on named sparse features, read by the contextual policies (LinUCB:
/// Li, Chu, Langford and Schapire, 2010; Thompson sampling, ε-greedy and softmax read its estimates). The
/// feature space grows as rewarded features appear, up to <see cref="LinUcbOptions.MaxDimension"/>; a feature the
/// model has not learned scores from the population prior (its mean, at its precision). A⁻¹ is kept by
/// Sherman–Morrison updates on flat arrays (no allocation per update), which is why this is written out here
/// instead of going through a general matrix library. Every update is checked: one that would make the model
/// non-finite is refused and leaves it as it was.
/// </summary>
public sealed class LinUcb
{
    private readonly LinUcbOptions _options;
    private readonly Dictionary<FeatureKey, int> _index = [];
    private readonly List<FeatureKey> _keys = [];
    private PopulationPrior _prior = PopulationPrior.None;
    private int _capacity = 8;
    private int _d;
    private double[] _a;
    private double[] _aInv;
    private double[] _h;
    private double[] _priorPrecision;
    private double[] _priorMean;
    private double[] _theta;
    private double[] _scratch;
    private int _sinceRefactor;

    public LinUcb(LinUcbOptions? options = null, PopulationPrior? prior = null)
    {
        _options = options ?? new LinUcbOptions();
        _options.Validate();
        _prior = prior ?? PopulationPrior.None;
        _a = new double[_capacity * _capacity];
        _aInv = new double[_capacity * _capacity];
        _h = new double[_capacity];
        _priorPrecision = new double[_capacity];
        _priorMean = new double[_capacity];
        _theta = new double[_capacity];
        _scratch = new double[_capacity];
    }

    public LinUcbOptions Options => _options;

    public IReadOnlyList<string> FeatureNames => _keys.Select(k => k.Name).ToArray();

    public long Updates { get; private set; }

    public int Dimension => _d;

    /// <summary>The version of the population prior the model's means currently follow (0: none).</summary>
    public long PriorVersion => _prior.Version;

    /// <summary>
    /// Rebuilds a stored model. Throws <see cref="InvalidDataException"/> when the state is not a model (wrong
    /// sizes, non-finite values, A not positive definite): the caller rebuilds it from the log instead.
    /// </summary>
    public static LinUcb FromState(LinUcbState state, LinUcbOptions? options = null, PopulationPrior? prior = null)
    {
        var d = state.FeatureNames.Length;
        if (state.A.Length != d * d || state.B.Length != d || state.PriorPrecision is { } p && p.Length != d)
        {
            throw new InvalidDataException($"State of dimension {d} needs A of {d * d}, b of {d} and as many prior precisions.");
        }
        if (!state.A.All(double.IsFinite) || !state.B.All(double.IsFinite) || state.PriorPrecision?.All(v => double.IsFinite(v) && v > 0) == false)
        {
            throw new InvalidDataException("The stored model holds non-finite values.");
        }
        var model = new LinUcb(options, prior);
        for (var i = 0; i < d; i++)
        {
            var k = model._index.ContainsKey(new FeatureKey(state.FeatureNames[i])) ? -1 : model.AddDimension(new FeatureKey(state.FeatureNames[i]));
            if (k != i) throw new InvalidDataException($"Feature '{state.FeatureNames[i]}' is stored twice.");
        }
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++) model._a[i * model._capacity + j] = state.A[i * d + j];
            model._h[i] = state.B[i];
            model._priorPrecision[i] = state.PriorPrecision?[i] ?? model._options.Lambda;
        }
        model.Updates = state.Updates;
        if (!model.TryRefactor()) throw new InvalidDataException("The stored design matrix is not positive definite.");
        return model;
    }

    public LinUcbState ToState()
    {
        var a = new double[_d * _d];
        for (var i = 0; i < _d; i++) Array.Copy(_a, i * _capacity, a, i * _d, _d);
        return new LinUcbState(_keys.Select(k => k.Name).ToArray(), a, _h.AsSpan(0, _d).ToArray(), Updates, _priorPrecision.AsSpan(0, _d).ToArray());
    }

    /// <summary>
    /// Follows a new population prior: the means of the features the model holds move to the prior's, and so
    /// does every estimate (θ = A⁻¹(precision∘mean + Σrx)); the precisions stay those each feature entered with,
    /// so A⁻¹ is untouched and this costs O(d²).
    /// </summary>
    public void UsePrior(PopulationPrior prior)
    {
        if (ReferenceEquals(prior, _prior)) return;
        _prior = prior;
        for (var k = 0; k < _d; k++) _priorMean[k] = prior.TryGet(_keys[k], out var term) ? term.Mean : 0;
        UpdateTheta();
    }

    /// <summary>Resolves a request's named features against this model: its own dimensions, or unseen slots carrying the prior.</summary>
    public CandidateBatch Resolve(NamedBatch named)
    {
        Dictionary<FeatureKey, int>? unseen = null;
        List<double>? unseenMean = null, unseenPrecision = null;

        SparseFeature Map(in NamedFeature f)
        {
            if (_index.TryGetValue(f.Key, out var k)) return new SparseFeature(k, f.Value);
            unseen ??= [];
            if (!unseen.TryGetValue(f.Key, out var slot))
            {
                slot = unseen.Count;
                unseen[f.Key] = slot;
                var term = PriorOf(f.Key);
                (unseenMean ??= []).Add(term.Mean);
                (unseenPrecision ??= []).Add(term.Precision);
            }
            return new SparseFeature(~slot, f.Value);
        }

        var shared = new SparseFeature[named.Shared.Length];
        for (var i = 0; i < shared.Length; i++) shared[i] = Map(named.Shared[i]);
        var items = new SparseFeature[named.Items.Length];
        for (var i = 0; i < items.Length; i++) items[i] = Map(named.Items[i]);
        return new CandidateBatch(shared, items, named.Offsets, unseenMean?.ToArray(), unseenPrecision?.ToArray());
    }

    /// <summary>Upper confidence bound of each candidate: θᵀx + α·sqrt(xᵀA⁻¹x).</summary>
    public double[] Score(CandidateBatch candidates)
    {
        var (means, variances) = Estimate(candidates);
        var scores = new double[means.Length];
        for (var c = 0; c < scores.Length; c++) scores[c] = means[c] + _options.Alpha * Math.Sqrt(variances[c]);
        return scores;
    }

    public Ranking Rank(CandidateBatch candidates, Random random) => Rankings.Greedy(Score(candidates), random);

    /// <summary>
    /// The posterior mean of each candidate's reward, θᵀx, and its variance factor xᵀA⁻¹x: what every policy
    /// over this model (UCB, ε-greedy, softmax, Thompson) builds its choice from. Unseen features add their
    /// prior mean and variance.
    /// </summary>
    public (double[] Means, double[] Variances) Estimate(CandidateBatch candidates)
    {
        // u = A⁻¹s for the shared part once, so each candidate costs O(nnz·d) at most rather than O(d²).
        var u = _scratch;
        Array.Clear(u, 0, _d);
        double sharedMean = 0, sharedVariance = 0;
        foreach (var f in candidates.Shared)
        {
            if (f.Index < 0)
            {
                sharedMean += candidates.UnseenMean[~f.Index] * f.Value;
                sharedVariance += f.Value * f.Value / candidates.UnseenPrecision[~f.Index];
                continue;
            }
            sharedMean += _theta[f.Index] * f.Value;
            var row = f.Index * _capacity;
            for (var j = 0; j < _d; j++) u[j] += _aInv[row + j] * f.Value;
        }
        foreach (var f in candidates.Shared)
        {
            if (f.Index >= 0) sharedVariance += u[f.Index] * f.Value;
        }

        var means = new double[candidates.Count];
        var variances = new double[candidates.Count];
        for (var c = 0; c < means.Length; c++)
        {
            var own = candidates.Candidate(c);
            double mean = sharedMean, variance = sharedVariance;
            for (var p = 0; p < own.Length; p++)
            {
                var (k, v) = (own[p].Index, own[p].Value);
                if (k < 0)
                {
                    mean += candidates.UnseenMean[~k] * v;
                    variance += v * v / candidates.UnseenPrecision[~k];
                    continue;
                }
                mean += _theta[k] * v;
                variance += 2 * u[k] * v;
                var row = k * _capacity;
                for (var q = 0; q < own.Length; q++)
                {
                    if (own[q].Index >= 0) variance += v * _aInv[row + own[q].Index] * own[q].Value;
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
    /// A⁻¹ times each candidate's own features is formed once (O(n·nnz·d)), so each pair costs O(nnz).
    /// An unseen feature has its prior variance and covaries only with itself.
    /// </summary>
    public double[] Covariance(CandidateBatch candidates)
    {
        var n = candidates.Count;
        var shared = candidates.Shared;
        var sharedTimesAInv = TimesAInv(shared);
        var sharedTerm = Bilinear(candidates, shared, sharedTimesAInv, shared);

        var ownTimesAInv = new double[n][];
        var cross = new double[n];
        for (var c = 0; c < n; c++)
        {
            var own = candidates.Candidate(c);
            ownTimesAInv[c] = TimesAInv(own);
            cross[c] = Bilinear(candidates, own, sharedTimesAInv, shared);
        }

        var k = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            var own = candidates.Candidate(i);
            for (var j = 0; j <= i; j++)
            {
                var value = sharedTerm + cross[i] + cross[j] + Bilinear(candidates, own, ownTimesAInv[j], candidates.Candidate(j));
                k[i * n + j] = value;
                k[j * n + i] = value;
            }
        }
        return k;
    }

    /// <summary>A⁻¹x over the model's own dimensions.</summary>
    private double[] TimesAInv(ReadOnlySpan<SparseFeature> x)
    {
        var product = new double[_d];
        foreach (var f in x)
        {
            if (f.Index < 0) continue;
            var row = f.Index * _capacity;
            for (var j = 0; j < _d; j++) product[j] += _aInv[row + j] * f.Value;
        }
        return product;
    }

    /// <summary>xᵀA⁻¹y given A⁻¹y's own part, plus the prior variance of unseen features the two share.</summary>
    private static double Bilinear(CandidateBatch batch, ReadOnlySpan<SparseFeature> x, double[] yTimesAInv, ReadOnlySpan<SparseFeature> y)
    {
        var sum = 0.0;
        foreach (var f in x)
        {
            if (f.Index >= 0)
            {
                sum += f.Value * yTimesAInv[f.Index];
                continue;
            }
            foreach (var g in y)
            {
                if (g.Index == f.Index) sum += f.Value * g.Value / batch.UnseenPrecision[~f.Index];
            }
        }
        return sum;
    }

    /// <summary>
    /// Learns one reward for one vector. Features the model lacks join it (from the prior) while it has room;
    /// past <see cref="LinUcbOptions.MaxDimension"/> they are left out of this update. An update that is not
    /// finite, or would make the model so, is refused and the model stays as it was.
    /// </summary>
    public UpdateResult Update(ReadOnlySpan<NamedFeature> features, double reward)
    {
        var bound = _options.MaxAbsValue;
        if (!(Math.Abs(reward) <= bound)) return new UpdateResult(UpdateRefusal.InputOutOfRange, 0);
        foreach (var f in features)
        {
            if (!(Math.Abs(f.Value) <= bound)) return new UpdateResult(UpdateRefusal.InputOutOfRange, 0);
        }

        Span<SparseFeature> x = features.Length <= 64 ? stackalloc SparseFeature[features.Length] : new SparseFeature[features.Length];
        var dimensionBefore = _d;
        var n = 0;
        var dropped = 0;
        foreach (var f in features)
        {
            if (_index.TryGetValue(f.Key, out var k) || (_d < _options.MaxDimension && (k = AddDimension(f.Key)) >= 0))
            {
                x[n++] = new SparseFeature(k, f.Value);
            }
            else
            {
                dropped++;
            }
        }
        x = x[..n];

        // Sherman–Morrison: (A + xxᵀ)⁻¹ = A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x); A⁻¹ is symmetric.
        var u = _scratch;
        Array.Clear(u, 0, _d);
        foreach (var f in x)
        {
            var row = f.Index * _capacity;
            for (var j = 0; j < _d; j++) u[j] += _aInv[row + j] * f.Value;
        }
        var denominator = 1.0;
        foreach (var f in x) denominator += f.Value * u[f.Index];
        if (!double.IsFinite(denominator) || denominator < 1 - 1e-9 || !SumsStayFinite(x, reward))
        {
            RemoveDimensionsFrom(dimensionBefore);
            return new UpdateResult(UpdateRefusal.NonFiniteModel, dropped);
        }

        AddOuter(x, reward, sign: 1);
        Updates++;
        if (++_sinceRefactor >= _options.RefactorEvery)
        {
            if (!TryRefactor()) return Undo(x, reward, dropped, dimensionBefore);
        }
        else
        {
            for (var i = 0; i < _d; i++)
            {
                var scale = u[i] / denominator;
                if (scale == 0) continue;
                var row = i * _capacity;
                for (var j = 0; j < _d; j++) _aInv[row + j] -= scale * u[j];
            }
            UpdateTheta();
        }
        foreach (var f in x)
        {
            if (!double.IsFinite(_theta[f.Index]) || !double.IsFinite(_a[f.Index * _capacity + f.Index])) return Undo(x, reward, dropped, dimensionBefore);
        }
        return new UpdateResult(UpdateRefusal.None, dropped);
    }

    /// <summary>Whether every number the model scores with is finite (a model stored before updates were checked may not be).</summary>
    public bool IsFinite()
    {
        for (var i = 0; i < _d; i++)
        {
            if (!double.IsFinite(_theta[i]) || !double.IsFinite(_h[i])) return false;
            var row = i * _capacity;
            for (var j = 0; j < _d; j++)
            {
                if (!double.IsFinite(_aInv[row + j])) return false;
            }
        }
        return true;
    }

    /// <summary>θ, the posterior mean of each feature's reward weight, by feature name.</summary>
    public IReadOnlyDictionary<string, double> Weights() =>
        Enumerable.Range(0, _d).ToDictionary(i => _keys[i].Name, i => _theta[i]);

    /// <summary>The posterior standard deviation of each feature's weight, sqrt((A⁻¹)ₖₖ), by feature name.</summary>
    public IReadOnlyDictionary<string, double> WeightDeviations() =>
        Enumerable.Range(0, _d).ToDictionary(i => _keys[i].Name, i => Math.Sqrt(Math.Max(0, _aInv[i * _capacity + i])));

    private PriorTerm PriorOf(FeatureKey key) =>
        _prior.TryGet(key, out var term) ? term : new PriorTerm(0, _options.Lambda);

    /// <summary>Whether A + xxᵀ and Σrx + r·x stay finite where the update touches them.</summary>
    private bool SumsStayFinite(ReadOnlySpan<SparseFeature> x, double reward)
    {
        foreach (var f in x)
        {
            if (!double.IsFinite(_h[f.Index] + reward * f.Value)) return false;
            var row = f.Index * _capacity;
            foreach (var g in x)
            {
                if (!double.IsFinite(_a[row + g.Index] + f.Value * g.Value)) return false;
            }
        }
        return true;
    }

    private void AddOuter(ReadOnlySpan<SparseFeature> x, double reward, int sign)
    {
        foreach (var f in x)
        {
            var row = f.Index * _capacity;
            foreach (var g in x) _a[row + g.Index] += sign * f.Value * g.Value;
            _h[f.Index] += sign * reward * f.Value;
        }
    }

    private UpdateResult Undo(ReadOnlySpan<SparseFeature> x, double reward, int dropped, int dimensionBefore)
    {
        AddOuter(x, reward, sign: -1);
        Updates--;
        RemoveDimensionsFrom(dimensionBefore);
        TryRefactor();
        return new UpdateResult(UpdateRefusal.NonFiniteModel, dropped);
    }

    /// <summary>Takes back the dimensions a refused update added (the last ones, holding nothing but their prior).</summary>
    private void RemoveDimensionsFrom(int dimension)
    {
        for (var k = _d - 1; k >= dimension; k--)
        {
            _index.Remove(_keys[k]);
            _keys.RemoveAt(k);
            for (var j = 0; j < _capacity; j++)
            {
                _a[k * _capacity + j] = _a[j * _capacity + k] = 0;
                _aInv[k * _capacity + j] = _aInv[j * _capacity + k] = 0;
            }
            _h[k] = _priorPrecision[k] = _priorMean[k] = _theta[k] = 0;
        }
        _d = Math.Min(_d, dimension);
    }

    private int AddDimension(FeatureKey key)
    {
        if (_d == _capacity) Grow(_capacity * 2);
        var k = _d++;
        _index[key] = k;
        _keys.Add(key);
        var prior = PriorOf(key);
        _priorPrecision[k] = prior.Precision;
        _priorMean[k] = prior.Mean;
        _a[k * _capacity + k] = prior.Precision;
        _aInv[k * _capacity + k] = 1 / prior.Precision;
        _theta[k] = prior.Mean;
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
        Array.Resize(ref _h, capacity);
        Array.Resize(ref _priorPrecision, capacity);
        Array.Resize(ref _priorMean, capacity);
        Array.Resize(ref _theta, capacity);
        Array.Resize(ref _scratch, capacity);
        _capacity = capacity;
    }

    /// <summary>θ = A⁻¹b with b = precision∘mean + Σrx.</summary>
    private void UpdateTheta()
    {
        var b = _scratch;
        for (var j = 0; j < _d; j++) b[j] = _priorPrecision[j] * _priorMean[j] + _h[j];
        for (var i = 0; i < _d; i++)
        {
            var row = i * _capacity;
            double sum = 0;
            for (var j = 0; j < _d; j++) sum += _aInv[row + j] * b[j];
            _theta[i] = sum;
        }
    }

    /// <summary>
    /// Recomputes A⁻¹ from A through its Cholesky factor L (A is symmetric positive definite): L⁻¹ by forward
    /// substitution, then A⁻¹ = L⁻ᵀL⁻¹, each about d³/6 multiply-adds. False, with A⁻¹ unchanged, when A is not
    /// positive definite. At d = <see cref="LinUcbOptions.MaxDimension"/> this is the longest step of a grain's
    /// turn (docs/benchmarks.md has the figure).
    /// </summary>
    private bool TryRefactor()
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
                    if (!(sum > 0) || !double.IsFinite(sum)) return false;
                    l[i * n + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i * n + j] = sum / l[j * n + j];
                }
            }
        }

        // M = L⁻¹ (lower triangular), row by row.
        var m = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            m[i * n + i] = 1 / l[i * n + i];
            for (var j = 0; j < i; j++)
            {
                var sum = 0.0;
                for (var k = j; k < i; k++) sum -= l[i * n + k] * m[k * n + j];
                m[i * n + j] = sum / l[i * n + i];
            }
        }

        // A⁻¹ᵢⱼ = Σₖ Mₖᵢ·Mₖⱼ over k ≥ max(i, j).
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = 0.0;
                for (var k = i; k < n; k++) sum += m[k * n + i] * m[k * n + j];
                _aInv[i * c + j] = sum;
                _aInv[j * c + i] = sum;
            }
        }
        UpdateTheta();
        return true;
    }
}
