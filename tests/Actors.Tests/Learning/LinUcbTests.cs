using Actors.Learning.Bandits;
using Actors.Learning.Profile;

namespace Actors.Tests.Learning;

/// <summary>
/// LinUCB against an independent dense ridge solution: the model's Sherman–Morrison/Cholesky
/// bookkeeping must give the same θ = (λI + Σxxᵀ)⁻¹Σrx and the same upper confidence bounds
/// θᵀx + α·sqrt(xᵀA⁻¹x) as plain Gaussian elimination on the dense system.
/// </summary>
public sealed class LinUcbTests
{
    // Both sides solve a well-conditioned (λ ≥ 0.5, ≤ 24 dimensions) system in double precision;
    // their rounding differs by a few ulps times the condition number, far below this.
    private const double RelativeTolerance = 1e-9;

    private static readonly string[] NamePool = Enumerable.Range(0, 24).Select(i => $"x{i:00}").ToArray();

    [Theory]
    [InlineData(1, 1.0, 40)]
    [InlineData(2, 0.5, 120)]
    [InlineData(3, 3.0, 200)]
    public void Weights_equal_the_closed_form_ridge_solution(int seed, double lambda, int updates)
    {
        var random = new Random(seed);
        var model = new LinUcb(new LinUcbOptions { Alpha = 0.7, Lambda = lambda });
        var reference = new DenseRidge(lambda);

        for (var t = 0; t < updates; t++)
        {
            var (x, reward) = RandomObservation(random);
            model.Update(Named(x), reward);
            reference.Add(x, reward);
        }

        AssertWeightsMatch(reference, model);
        Assert.Equal(updates, model.Updates);
    }

    [Theory]
    [InlineData(11, 0.7, 1.0)]
    [InlineData(12, 2.0, 0.5)]
    [InlineData(13, 0.0, 1.5)]
    public void Scores_equal_mean_plus_alpha_times_the_confidence_width(int seed, double alpha, double lambda)
    {
        var random = new Random(seed);
        var model = new LinUcb(new LinUcbOptions { Alpha = alpha, Lambda = lambda });
        var reference = new DenseRidge(lambda);
        // Only the first 20 names are ever trained; x20..x23 stay unseen for the scoring side.
        for (var t = 0; t < 150; t++)
        {
            var (x, reward) = RandomObservation(random, poolSize: 20);
            model.Update(Named(x), reward);
            reference.Add(x, reward);
        }
        var dimensionBefore = model.Dimension;

        var shared = new (string, double)[] { ("x00", 1.0), ("x03", -0.4), ("x22", 0.3) };
        var candidates = new[]
        {
            new (string, double)[] { ("x05", 0.9), ("x07", -1.2) },
            new (string, double)[] { ("x05", 0.9), ("x07", -1.2), ("never-seen", 0.8) },
            new (string, double)[] { ("x11", 0.5) },
            new (string, double)[] { ("x20", 1.0), ("x21", -2.0) },
            new (string, double)[] { ("x01", 0.25), ("x02", 0.5), ("x04", -0.75), ("x06", 1.0) },
        };
        var batch = Batch(model, shared, candidates);

        var scores = model.Score(batch);

        for (var c = 0; c < candidates.Length; c++)
        {
            var expected = reference.Score(shared.Concat(candidates[c]).ToArray(), alpha);
            AssertClose(expected, scores[c], $"candidate {c}");
        }
        // An unseen name widens the bound (a fresh row of λI adds v²/λ to xᵀA⁻¹x) without touching the mean.
        if (alpha > 0) Assert.True(scores[1] > scores[0]);
        else Assert.Equal(scores[0], scores[1], 12);
        // Scoring never grows the model; only training does.
        Assert.Equal(dimensionBefore, model.Dimension);
        Assert.DoesNotContain("never-seen", model.FeatureNames);
    }

    [Fact]
    public void An_untrained_model_scores_alpha_times_the_prior_width()
    {
        const double alpha = 1.3, lambda = 2.0;
        var model = new LinUcb(new LinUcbOptions { Alpha = alpha, Lambda = lambda });
        var batch = Batch(model, [("bias", 1.0)], [[("a", 2.0)], [("b", 0.5), ("c", 0.5)]]);

        var scores = model.Score(batch);

        // Unseen features only: mean 0, xᵀA⁻¹x = Σv²/λ.
        Assert.Equal(alpha * Math.Sqrt((1 + 4) / lambda), scores[0], 12);
        Assert.Equal(alpha * Math.Sqrt((1 + 0.25 + 0.25) / lambda), scores[1], 12);
    }

    [Theory]
    [InlineData(21, 1, 60)]
    [InlineData(22, 7, 500)]
    [InlineData(23, 64, 700)]
    [InlineData(24, 256, 1100)]
    public void Agreement_holds_across_many_refactor_boundaries(int seed, int refactorEvery, int updates)
    {
        var random = new Random(seed);
        const double alpha = 0.9, lambda = 1.0;
        var model = new LinUcb(new LinUcbOptions { Alpha = alpha, Lambda = lambda, RefactorEvery = refactorEvery });
        var reference = new DenseRidge(lambda);
        var probe = new (string, double)[][]
        {
            [("x00", 1.0), ("x01", 0.5), ("x02", -0.5)],
            [("x00", 1.0), ("x13", 2.0), ("x17", -1.0), ("x23", 0.25)],
        };

        var checkpoints = 0;
        for (var t = 1; t <= updates; t++)
        {
            var (x, reward) = RandomObservation(random);
            model.Update(Named(x), reward);
            reference.Add(x, reward);

            // Check just before, at and after refactors, and at a stride that drifts across them.
            var nearBoundary = t % refactorEvery is 0 || t % refactorEvery == refactorEvery - 1 || t % refactorEvery == 1;
            if (t % 53 == 0 || (nearBoundary && t % 5 == 0) || t == updates)
            {
                checkpoints++;
                AssertWeightsMatch(reference, model);
                var scores = model.Score(Batch(model, [], probe));
                for (var c = 0; c < probe.Length; c++) AssertClose(reference.Score(probe[c], alpha), scores[c], $"t={t} probe {c}");
            }
        }
        Assert.True(checkpoints >= 3, $"only {checkpoints} checkpoints");
    }

    [Theory]
    [InlineData(31, 64, 192)] // ends right on a refactor: A⁻¹ came from the same Cholesky on the same A
    [InlineData(32, 64, 203)] // ends 11 Sherman–Morrison updates after one
    [InlineData(33, 256, 90)]
    public void State_round_trip_gives_the_same_scores(int seed, int refactorEvery, int updates)
    {
        var random = new Random(seed);
        var options = new LinUcbOptions { Alpha = 0.8, Lambda = 1.0, RefactorEvery = refactorEvery };
        var model = new LinUcb(options);
        for (var t = 0; t < updates; t++)
        {
            var (x, reward) = RandomObservation(random);
            model.Update(Named(x), reward);
        }

        var state = model.ToState();
        // Names, never process-local ids, carry the model.
        var restored = LinUcb.FromState(state, options);

        var shared = new (string, double)[] { ("x00", 1.0), ("x09", 0.5) };
        var candidates = new (string, double)[][]
        {
            [("x01", 1.0), ("x02", -0.5)],
            [("x07", 0.3), ("x23", 1.1), ("x15", -0.9)],
            [("never-seen", 1.0), ("x04", 0.2)],
        };
        var original = model.Score(Batch(model, shared, candidates));
        var reloaded = restored.Score(Batch(restored, shared, candidates));

        if (updates % refactorEvery == 0)
        {
            Assert.Equal(original, reloaded);
        }
        else
        {
            // Sherman–Morrison against a fresh Cholesky inverse of the same A: rounding only.
            for (var c = 0; c < original.Length; c++) Assert.Equal(original[c], reloaded[c], 1e-12 * Math.Max(1, Math.Abs(original[c])));
        }

        var again = restored.ToState();
        Assert.Equal(state.FeatureNames, again.FeatureNames);
        Assert.Equal(state.A, again.A);
        Assert.Equal(state.B, again.B);
        Assert.Equal(state.Updates, again.Updates);
        Assert.Equal(updates, restored.Updates);
        foreach (var (name, weight) in model.Weights())
        {
            Assert.Equal(weight, restored.Weights()[name], 1e-12 * Math.Max(1, Math.Abs(weight)));
        }
    }

    [Fact]
    public void The_model_learns_that_category_a_pays()
    {
        const int seed = 41, rounds = 600;
        var random = new Random(seed);
        var model = new LinUcb(new LinUcbOptions { Alpha = 0.5, Lambda = 1.0 });
        string[] categories = ["b", "c", "a", "d"];
        var tips = categories.Select((c, i) => new TipFeatures($"tip-{i}", c, new Dictionary<string, double> { ["effort"] = 0.5 })).ToArray();
        var winner = Array.IndexOf(categories, "a");

        // Untrained, every candidate ties: "a" would be first only a quarter of the time.
        var untrained = model.Rank(model.Resolve(TipBatch(tips, ProfileFeatureRegistry.Defaults(), 9)), random);
        Assert.All(untrained.Probabilities, p => Assert.Equal(0.25, p, 15));

        for (var t = 0; t < rounds; t++)
        {
            var profile = RandomProfile(random);
            var batch = TipBatch(tips, profile, random.Next(24));
            var served = model.Rank(model.Resolve(batch), random).Order[0];
            model.Update(batch.FullVector(served), categories[served] == "a" ? 1.0 : 0.0);
        }

        for (var hour = 0; hour < 24; hour++)
        {
            var ranking = model.Rank(model.Resolve(TipBatch(tips, RandomProfile(random), hour)), random);
            Assert.Equal(winner, ranking.Order[0]);
            Assert.Equal(1.0, ranking.Probabilities[winner]);
        }
        // Each tip is alone in its category here, so the category and the tip's own term share the credit.
        var weights = model.Weights();
        double Effect(int i) => weights[$"cat={categories[i]}"] + weights[$"tip=tip-{i}"];
        foreach (var other in Enumerable.Range(0, categories.Length).Where(i => i != winner))
        {
            Assert.True(Effect(winner) > Effect(other) + 0.5, $"cat=a {Effect(winner)} vs cat={categories[other]} {Effect(other)}");
        }
    }

    [Theory]
    [InlineData(-0.1, 1.0, 1, "Alpha")]
    [InlineData(double.NaN, 1.0, 1, "Alpha")]
    [InlineData(double.PositiveInfinity, 1.0, 1, "Alpha")]
    [InlineData(double.NegativeInfinity, 1.0, 1, "Alpha")]
    [InlineData(1.0, 0.0, 1, "Lambda")]
    [InlineData(1.0, -1.0, 1, "Lambda")]
    [InlineData(1.0, double.NaN, 1, "Lambda")]
    [InlineData(1.0, double.PositiveInfinity, 1, "Lambda")]
    [InlineData(1.0, 1.0, 0, "RefactorEvery")]
    [InlineData(1.0, 1.0, -5, "RefactorEvery")]
    public void Options_validation_rejects_bad_values(double alpha, double lambda, int refactorEvery, string parameter)
    {
        var options = new LinUcbOptions { Alpha = alpha, Lambda = lambda, RefactorEvery = refactorEvery };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new LinUcb(options));
        Assert.Equal(parameter, error.ParamName);
    }

    [Theory]
    [InlineData(0.0, 1.0, 1)]
    [InlineData(5.0, 1e-6, 1)]
    [InlineData(1.0, 1e6, 100_000)]
    public void Options_validation_accepts_edge_values(double alpha, double lambda, int refactorEvery)
    {
        var options = new LinUcbOptions { Alpha = alpha, Lambda = lambda, RefactorEvery = refactorEvery };

        options.Validate();
        var model = new LinUcb(options);
        Assert.Equal(0, model.Dimension);
    }

    [Theory]
    [InlineData(double.NaN, 1.0)]
    [InlineData(double.PositiveInfinity, 1.0)]
    [InlineData(1.0, double.NaN)]
    [InlineData(1.0, double.NegativeInfinity)]
    [InlineData(1.0, 1.3e154)] // finite, but its square is not: the poisoned catalog feature
    [InlineData(1e300, 1e10)]   // r·x overflows
    public void Update_refuses_what_is_not_finite_and_leaves_the_model_as_it_was(double reward, double value)
    {
        var model = new LinUcb(new LinUcbOptions());
        model.Update([new NamedFeature("x", 0.5), new NamedFeature("y", 1.0)], 1.0);
        var before = model.ToState();

        var result = model.Update([new NamedFeature("x", value), new NamedFeature("y", 1.0)], reward);

        Assert.False(result.Learned);
        Assert.Equal(UpdateRefusal.InputOutOfRange, result.Refusal);
        Assert.Equal(1, model.Updates);
        Assert.Equal(before.A, model.ToState().A);
        Assert.Equal(before.B, model.ToState().B);
        Assert.True(model.IsFinite());
    }

    [Fact]
    public void Candidate_covariance_matches_a_dense_solve_and_its_diagonal_is_the_variance()
    {
        var random = new Random(21);
        var model = new LinUcb(new LinUcbOptions { Lambda = 0.7 });
        var reference = new DenseRidge(0.7);
        for (var i = 0; i < 60; i++)
        {
            var (x, reward) = RandomObservation(random, poolSize: 12);
            model.Update(Named(x), reward);
            reference.Add(x, reward);
        }
        // Names x12.. were never trained on: their prior covariance must show up too.
        var shared = new[] { ("x00", 1.0), ("x03", 0.5) };
        var candidates = new[]
        {
            new[] { ("x05", 1.0), ("x14", 0.4) },
            new[] { ("x05", 1.0), ("x14", 0.4) },
            new[] { ("x07", -0.3), ("x20", 1.0) },
            new[] { ("x14", 1.0) },
        };
        var batch = Batch(model, shared, candidates);

        var k = model.Covariance(batch);
        var variances = model.Estimate(batch).Variances;
        for (var i = 0; i < candidates.Length; i++)
        {
            AssertClose(variances[i], k[i * candidates.Length + i], $"K[{i},{i}]");
            for (var j = 0; j < candidates.Length; j++)
            {
                var expected = reference.Bilinear([.. shared, .. candidates[i]], [.. shared, .. candidates[j]]);
                AssertClose(expected, k[i * candidates.Length + j], $"K[{i},{j}]");
            }
        }
    }

    private static void AssertWeightsMatch(DenseRidge reference, LinUcb model)
    {
        var expected = reference.Theta();
        var actual = model.Weights();
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        var scale = Math.Max(1, expected.Values.Max(Math.Abs));
        foreach (var (name, value) in expected)
        {
            Assert.True(Math.Abs(value - actual[name]) <= RelativeTolerance * scale,
                $"θ[{name}]: expected {value:R}, got {actual[name]:R}");
        }
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= RelativeTolerance * Math.Max(1, Math.Abs(expected)),
            $"{what}: expected {expected:R}, got {actual:R}");

    private static ((string Name, double Value)[] X, double Reward) RandomObservation(Random random, int poolSize = 24)
    {
        var count = random.Next(1, 7);
        var names = NamePool.Take(poolSize).OrderBy(_ => random.Next()).Take(count);
        var x = names.Select(n => (n, Math.Round(random.NextDouble() * 2 - 1, 3))).ToArray();
        var reward = random.NextDouble() < 0.3 ? 1.0 : random.NextDouble() * 0.2 - 0.1;
        return (x, reward);
    }

    private static double[] RandomProfile(Random random) =>
    [
        random.NextDouble(),
        random.NextDouble() * 0.5,
        random.NextDouble() * 60_000,
        random.Next(-1, 24),
        random.Next(0, 200),
    ];

    private static NamedFeature[] Named((string Name, double Value)[] x) =>
        x.Select(f => new NamedFeature(f.Name, f.Value)).ToArray();

    private static CandidateBatch Batch(LinUcb model, (string, double)[] shared, (string, double)[][] candidates)
    {
        var items = new List<NamedFeature>();
        var offsets = new List<int> { 0 };
        foreach (var candidate in candidates)
        {
            items.AddRange(Named(candidate));
            offsets.Add(items.Count);
        }
        return model.Resolve(new NamedBatch(Named(shared), items.ToArray(), offsets.ToArray()));
    }

    private static NamedBatch TipBatch(TipFeatures[] tips, double[] profile, int hour) =>
        BanditFeatureSet.Default.Build(profile, hour, tips);

    /// <summary>Ridge regression kept as dense sums by name and solved from scratch on demand.</summary>
    private sealed class DenseRidge(double lambda)
    {
        private readonly List<string> _names = [];
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<((string Name, double Value)[] X, double Reward)> _history = [];

        public void Add((string Name, double Value)[] x, double reward)
        {
            foreach (var (name, _) in x) IndexOf(name);
            _history.Add((x, reward));
        }

        public Dictionary<string, double> Theta()
        {
            var (a, b) = Build(_names.Count);
            var theta = Solve(a, b);
            return _names.Select((n, i) => (n, theta[i])).ToDictionary(p => p.n, p => p.Item2);
        }

        /// <summary>θᵀx + α·sqrt(xᵀA⁻¹x), with A extended by λ on the diagonal for names never trained on.</summary>
        public double Score((string Name, double Value)[] x, double alpha)
        {
            var names = new List<string>(_names);
            foreach (var (name, _) in x) if (!names.Contains(name)) names.Add(name);
            var (a, b) = Build(names.Count);
            var vector = new double[names.Count];
            foreach (var (name, value) in x) vector[names.IndexOf(name)] += value;

            var theta = Solve(a, b);
            var aInvX = Solve(a, vector);
            double mean = 0, width = 0;
            for (var i = 0; i < vector.Length; i++)
            {
                mean += theta[i] * vector[i];
                width += vector[i] * aInvX[i];
            }
            return mean + alpha * Math.Sqrt(width);
        }

        /// <summary>xᵀA⁻¹y, with A extended by λ on the diagonal for names never trained on.</summary>
        public double Bilinear((string Name, double Value)[] x, (string Name, double Value)[] y)
        {
            var names = new List<string>(_names);
            foreach (var (name, _) in x.Concat(y)) if (!names.Contains(name)) names.Add(name);
            var (a, _) = Build(names.Count);
            var xv = new double[names.Count];
            var yv = new double[names.Count];
            foreach (var (name, value) in x) xv[names.IndexOf(name)] += value;
            foreach (var (name, value) in y) yv[names.IndexOf(name)] += value;
            var aInvY = Solve(a, yv);
            return xv.Select((v, i) => v * aInvY[i]).Sum();
        }

        private (double[,] A, double[] B) Build(int n)
        {
            var a = new double[n, n];
            var b = new double[n];
            for (var i = 0; i < n; i++) a[i, i] = lambda;
            foreach (var (x, reward) in _history)
            {
                foreach (var (p, vp) in x)
                {
                    var i = _index[p];
                    b[i] += reward * vp;
                    foreach (var (q, vq) in x) a[i, _index[q]] += vp * vq;
                }
            }
            return (a, b);
        }

        private int IndexOf(string name)
        {
            if (_index.TryGetValue(name, out var i)) return i;
            _index[name] = _names.Count;
            _names.Add(name);
            return _names.Count - 1;
        }

        /// <summary>Gaussian elimination with partial pivoting on copies of the inputs.</summary>
        private static double[] Solve(double[,] matrix, double[] rhs)
        {
            var n = rhs.Length;
            var a = (double[,])matrix.Clone();
            var x = (double[])rhs.Clone();
            for (var col = 0; col < n; col++)
            {
                var pivot = col;
                for (var r = col + 1; r < n; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
                if (pivot != col)
                {
                    for (var c = 0; c < n; c++) (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
                    (x[col], x[pivot]) = (x[pivot], x[col]);
                }
                for (var r = col + 1; r < n; r++)
                {
                    var factor = a[r, col] / a[col, col];
                    if (factor == 0) continue;
                    for (var c = col; c < n; c++) a[r, c] -= factor * a[col, c];
                    x[r] -= factor * x[col];
                }
            }
            for (var r = n - 1; r >= 0; r--)
            {
                var sum = x[r];
                for (var c = r + 1; c < n; c++) sum -= a[r, c] * x[c];
                x[r] = sum / a[r, r];
            }
            return x;
        }
    }
}
