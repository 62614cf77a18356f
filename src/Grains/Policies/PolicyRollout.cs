using Actors.Abstractions;
using Actors.Grains.Options;
using Actors.Learning.Policies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Policies;

/// <summary>The policies every request runs: the one that serves (outside experiments) and the shadows.</summary>
public sealed record ServingPolicies(IPolicy Live, IPolicy[] Shadows);

/// <summary>
/// This silo's copy of the registry, so that scoring never waits on the registry grain: read on first
/// use, refreshed in the background once older than <see cref="PolicyOptions.RefreshInterval"/>, and
/// replaced at once by a promotion made through this silo.
/// </summary>
public sealed class PolicyRollout(IGrainFactory grains, PolicyCatalog catalog, TimeProvider time, ILogger<PolicyRollout> logger)
{
    private readonly long _refreshMs = (long)catalog.Options.RefreshInterval.TotalMilliseconds;
    private readonly Lock _gate = new();
    private ServingPolicies? _current;
    private long _loadedAtMs;
    private Task<ServingPolicies>? _loading;

    public ValueTask<ServingPolicies> CurrentAsync()
    {
        var current = Volatile.Read(ref _current);
        if (current is null) return new ValueTask<ServingPolicies>(Load());
        if (time.NowMs() - Volatile.Read(ref _loadedAtMs) > _refreshMs) _ = Load();
        return new ValueTask<ServingPolicies>(current);
    }

    public IPolicyRegistryGrain Registry => grains.GetGrain<IPolicyRegistryGrain>(IPolicyRegistryGrain.Key);

    /// <summary>Takes the registry as a promotion returned it.</summary>
    public ServingPolicies Apply(PolicyRecord[] records)
    {
        var live = records.FirstOrDefault(r => r.Stage == PolicyStages.Live)?.Name ?? catalog.Options.Live;
        var serving = new ServingPolicies(
            catalog[live],
            records.Where(r => r.Stage == PolicyStages.Shadow && catalog.TryGet(r.Name, out _)).Select(r => catalog[r.Name]).ToArray());
        Volatile.Write(ref _loadedAtMs, time.NowMs());
        Volatile.Write(ref _current, serving);
        return serving;
    }

    /// <summary>One read of the registry at a time; off the caller's grain context, so no activation waits on another.</summary>
    private Task<ServingPolicies> Load()
    {
        lock (_gate)
        {
            if (_loading is { IsCompleted: false } loading) return loading;
            return _loading = Task.Run(async () =>
            {
                try
                {
                    return Apply(await Registry.GetAsync());
                }
                catch (Exception ex) when (Volatile.Read(ref _current) is { } stale)
                {
                    logger.LogWarning(ex, "The policy registry did not answer; serving with the copy from before.");
                    Volatile.Write(ref _loadedAtMs, time.NowMs());
                    return stale;
                }
            });
        }
    }
}
