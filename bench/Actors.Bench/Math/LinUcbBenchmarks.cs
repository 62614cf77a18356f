using Actors.Learning.Arms;
using Actors.Learning.Bandits;
using Actors.Learning.Policies;
using Actors.Learning.Profile;
using BenchmarkDotNet.Attributes;

namespace Actors.Bench.MathBenchmarks;

/// <summary>
/// One user's LinUCB model as the bandit grain runs it: 50 candidates over the 7 seed-catalog categories
/// (each crossed with the hour) with the two numeric tip features, trained by 500 seeded updates.
/// </summary>
[MemoryDiagnoser]
public class LinUcbBenchmarks
{
    private const int Candidates = 50;
    private const int TrainingUpdates = 500;
    private const int ScoredHour = 9;

    // The seed catalog's categories (src/Silo/Storage/seed-tips.json).
    private static readonly string[] Categories = ["focus", "hydration", "mindfulness", "movement", "nutrition", "sleep", "social"];

    private LinUcb _model = null!;
    private LinUcb _learner = null!;
    private LinUcbState _state = null!;
    private NamedBatch _named = null!;
    private CandidateBatch _batch = null!;
    private NamedFeature[][] _updateVectors = null!;
    private LinUcbState _fullState = null!;
    private double[] _updateRewards = null!;
    private Random _random = null!;
    private int _nextUpdate;
    private string[] _tipIds = null!;
    private PolicyModels _models = null!;
    private Dictionary<string, IPolicy> _policies = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(20_261_126);
        var tips = new TipFeatures[Candidates];
        for (var i = 0; i < tips.Length; i++)
        {
            var numeric = new Dictionary<string, double>
            {
                ["effort"] = Math.Round(random.NextDouble(), 2),
                ["duration"] = Math.Round(random.NextDouble(), 3),
            };
            tips[i] = new TipFeatures($"tip-{i}", Categories[i % Categories.Length], numeric);
        }
        var profile = Profile(random);

        var batchByHour = new NamedBatch[24];
        for (var hour = 0; hour < batchByHour.Length; hour++)
        {
            batchByHour[hour] = BanditFeatureSet.Default.Build(profile, hour, tips);
        }

        // A hidden best hour per category, so the category-hour crossings carry signal to learn.
        var bestHour = Categories.Select(_ => random.Next(24)).ToArray();
        _model = new LinUcb();
        for (var n = 0; n < TrainingUpdates; n++)
        {
            var hour = random.Next(24);
            var candidate = random.Next(Candidates);
            var affinity = (1 + Math.Cos(2 * Math.PI * (hour - bestHour[candidate % Categories.Length]) / 24)) / 2;
            var reward = random.NextDouble() < 0.1 + 0.6 * affinity ? 1.0 : 0.0;
            _model.Update(batchByHour[hour].FullVector(candidate), reward);
        }

        _state = _model.ToState();
        _learner = LinUcb.FromState(_state);
        _named = batchByHour[ScoredHour];
        _batch = _model.Resolve(_named);
        _updateVectors = Enumerable.Range(0, Candidates).Select(_named.FullVector).ToArray();
        _fullState = FullModel(random);
        _updateRewards = _updateVectors.Select(_ => random.NextDouble() < 0.3 ? 1.0 : 0.0).ToArray();
        _random = new Random(7);

        _tipIds = Enumerable.Range(0, Candidates).Select(i => $"tip-{i}").ToArray();
        _models = new PolicyModels(_model, _tipIds.ToDictionary(id => id, id => new ArmStat(random.Next(1, 20), 0), StringComparer.Ordinal));
        foreach (var id in _tipIds) _models.Arms[id] = _models.Arms[id] with { Rewards = Math.Round(_models.Arms[id].Pulls * random.NextDouble()) };
        _policies = PolicyDefinition.Kinds.ToDictionary(kind => kind, kind => new PolicyDefinition { Kind = kind }.Create(kind));
    }

    [Benchmark]
    public double[] Score() => _model.Score(_batch);

    [Benchmark]
    public Ranking Rank() => _model.Rank(_batch, _random);

    /// <summary>One Sherman–Morrison update; every 256th also rebuilds A⁻¹, so the figure includes that amortised.</summary>
    [Benchmark]
    public void Update()
    {
        var i = _nextUpdate;
        _nextUpdate = i + 1 == _updateVectors.Length ? 0 : i + 1;
        _learner.Update(_updateVectors[i], _updateRewards[i]);
    }

    /// <summary>
    /// One request's decision by each policy kind over the same trained model, through the serving code
    /// (a fresh input per request, as the grain builds it): what the live policy and each shadow cost.
    /// </summary>
    [Benchmark]
    [Arguments("linucb")]
    [Arguments("linear-thompson")]
    [Arguments("epsilon-greedy")]
    [Arguments("beta-thompson")]
    public PolicyChoice Decide(string kind) =>
        _policies[kind].Decide(new PolicyInput(_batch, _tipIds, _models), _random);

    /// <summary>The joint covariance factor linear Thompson sampling draws from, and its semi-definite Cholesky factor.</summary>
    [Benchmark]
    public double[] CovarianceAndFactor() => Cholesky.OfSemiDefinite(_model.Covariance(_batch), Candidates);

    /// <summary>What a stateless scorer pays per request before scoring: names re-interned, A⁻¹ rebuilt by Cholesky.</summary>
    [Benchmark]
    public LinUcb FromState() => LinUcb.FromState(_state);

    /// <summary>One request's named features resolved against the user's model (dictionary look-ups by cached hash).</summary>
    [Benchmark]
    public CandidateBatch Resolve() => _model.Resolve(_named);

    /// <summary>The same request for a user with no learned state: every feature is an unseen slot of the prior.</summary>
    [Benchmark]
    public double[] ResolveAndScoreForNewUser()
    {
        var empty = new LinUcb();
        return empty.Score(empty.Resolve(_named));
    }

    /// <summary>
    /// Loading a model at Bandit:MaxDimension (256): dominated by the Cholesky refactorisation, the same work as
    /// the periodic one every RefactorEvery updates, so this bounds the longest step of a grain's turn.
    /// </summary>
    [Benchmark]
    public LinUcb FromStateAtMaxDimension() => LinUcb.FromState(_fullState);

    /// <summary>A model filled to the default MaxDimension with seeded rewards over random features.</summary>
    private static LinUcbState FullModel(Random random)
    {
        var options = new LinUcbOptions();
        var model = new LinUcb(options);
        var names = Enumerable.Range(0, options.MaxDimension).Select(i => $"tip=f{i}").ToArray();
        while (model.Dimension < options.MaxDimension)
        {
            var vector = Enumerable.Range(0, 12).Select(_ => new NamedFeature(names[random.Next(names.Length)], random.NextDouble()))
                .DistinctBy(f => f.Name).ToArray();
            model.Update(vector, random.Next(2));
        }
        return model.ToState();
    }

    /// <summary>Profile values of a user with a month of seeded history, so every shared feature is non-trivial.</summary>
    private static double[] Profile(Random random)
    {
        const long now = 1_790_000_000_000;
        var accumulator = new ProfileAccumulator();
        foreach (var e in ProfileAccumulatorBenchmarks.Events(random, 300, now))
        {
            accumulator.Apply(e, now);
        }
        return accumulator.Values();
    }
}
