using Actors.Abstractions;
using Actors.Grains.Options;
using Actors.Learning.Bandits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Prior;

/// <summary>The population's statistics as persisted, with the version of the last estimate made from them.</summary>
[GenerateSerializer, Alias("actors.PopulationPriorState")]
public sealed class PopulationPriorState
{
    [Id(0)] public string[] Names { get; set; } = [];
    [Id(1)] public double[] Moment { get; set; } = [];
    [Id(2)] public int[] Rows { get; set; } = [];
    [Id(3)] public int[] Columns { get; set; } = [];
    [Id(4)] public double[] Values { get; set; } = [];
    [Id(5)] public long Rewards { get; set; }
    [Id(6)] public long Version { get; set; }
}

/// <summary>
/// The hierarchical prior of every user's model: it sums the sufficient statistics users' bandits send (their
/// rewards since they last did, sent after their own snapshot, so a replay after a crash is not sent twice) and
/// re-estimates the prior from them every <see cref="PriorOptions.RefreshInterval"/> when something arrived.
/// It keeps statistics, never users: an aggregate over everyone, with no user's name in it.
/// </summary>
[GrainType("population-prior")]
public sealed class PopulationPriorGrain(
    [PersistentState("prior", StorageNames.Grains)] IPersistentState<PopulationPriorState> state,
    IOptions<BanditOptions> banditOptions,
    TimeProvider time,
    ILogger<PopulationPriorGrain> logger) : Grain, IPopulationPriorGrain
{
    private readonly BanditOptions _options = banditOptions.Value;
    private PriorStatistics _statistics = null!;
    private PriorView? _current;
    private bool _changed;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var s = state.State;
        _statistics = PriorStatistics.From(new PriorStatisticsData(s.Names, s.Moment, s.Rows, s.Columns, s.Values, s.Rewards), _options.Prior.MaxFeatures);
        _current = Estimate(s.Version);
        var interval = _options.Prior.RefreshInterval;
        this.RegisterGrainTimer(RefreshAsync, interval, interval);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => RefreshAsync(cancellationToken);

    public Task ContributeAsync(PriorContribution contribution)
    {
        _statistics.Add(new PriorStatisticsData(contribution.Names, contribution.Moment, contribution.Rows, contribution.Columns, contribution.Values, contribution.Rewards));
        _changed = true;
        return Task.CompletedTask;
    }

    public Task<PriorView?> GetAsync(long knownVersion) =>
        Task.FromResult(_current is { } current && current.Version != knownVersion ? current : null);

    private PriorView Estimate(long version)
    {
        var prior = _statistics.Estimate(_options.Lambda, _options.Prior.Strength, version);
        var terms = prior.Terms.ToArray();
        return new PriorView(
            version,
            terms.Select(t => t.Key.Name).ToArray(),
            terms.Select(t => t.Value.Mean).ToArray(),
            terms.Select(t => t.Value.Precision).ToArray(),
            _statistics.Rewards,
            time.NowMs(),
            _options.Prior.Strength);
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (!_changed) return;
        _changed = false;
        var version = state.State.Version + 1;
        _current = Estimate(version);
        var data = _statistics.ToData();
        state.State = new PopulationPriorState
        {
            Names = data.Names, Moment = data.Moment, Rows = data.Rows, Columns = data.Columns, Values = data.Values,
            Rewards = data.Rewards, Version = version,
        };
        try
        {
            await state.WriteStateAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            _changed = true;
            logger.LogWarning(ex, "The population prior's statistics were not saved; they stay in memory and are retried.");
        }
    }
}
