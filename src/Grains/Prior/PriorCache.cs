using Actors.Abstractions;
using Actors.Grains.Options;
using Actors.Learning.Bandits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Prior;

/// <summary>
/// This silo's copy of the population prior, so that no request waits on the prior grain: empty until the
/// first answer, then refreshed in the background once older than <see cref="PriorOptions.RefreshInterval"/>
/// (the grain answers "unchanged" cheaply). With the prior off it is always <see cref="PopulationPrior.None"/>.
/// </summary>
public sealed class PriorCache(IGrainFactory grains, IOptions<BanditOptions> options, TimeProvider time, ILogger<PriorCache> logger)
{
    private readonly PriorOptions _options = options.Value.Prior;
    private readonly Lock _gate = new();
    private PopulationPrior _current = PopulationPrior.None;
    private long _checkedAtMs;
    private Task? _loading;

    public bool Enabled => _options.Enabled;

    public IPopulationPriorGrain Grain => grains.GetGrain<IPopulationPriorGrain>(IPopulationPriorGrain.Key);

    /// <summary>The latest prior this silo has; starts a refresh when due.</summary>
    public PopulationPrior Current
    {
        get
        {
            if (!_options.Enabled) return PopulationPrior.None;
            if (time.NowMs() - Volatile.Read(ref _checkedAtMs) > (long)_options.RefreshInterval.TotalMilliseconds) Refresh();
            return Volatile.Read(ref _current);
        }
    }

    /// <summary>Asks the prior grain now and waits for the answer (tests and the admin view).</summary>
    public async Task<PopulationPrior> RefreshNowAsync()
    {
        await Load();
        return Volatile.Read(ref _current);
    }

    private void Refresh()
    {
        lock (_gate)
        {
            if (_loading is { IsCompleted: false }) return;
            _loading = Load();
        }
    }

    /// <summary>Off the caller's grain context, so no activation waits on another.</summary>
    private Task Load() => Task.Run(async () =>
    {
        Volatile.Write(ref _checkedAtMs, time.NowMs());
        try
        {
            if (await Grain.GetAsync(Volatile.Read(ref _current).Version) is { } view)
            {
                Volatile.Write(ref _current, new PopulationPrior(view.Version, view.Names, view.Means, view.Precisions));
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "The population prior did not answer; scoring with the copy from before.");
        }
    });
}
