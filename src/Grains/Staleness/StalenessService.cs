using Orleans.Concurrency;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Services;
using Orleans.Services;

namespace Actors.Grains.Staleness;

/// <summary>One per silo: that silo's <see cref="ProfileStalenessTracker"/>, readable from any silo.</summary>
[Alias("actors.IStalenessService")]
public interface IStalenessService : IGrainService
{
    [Alias("ReportAsync")]
    Task<SiloStaleness> ReportAsync();

    [Alias("FindAsync")]
    Task<TrackedProfile?> FindAsync(string userId);
}

[Reentrant]
public sealed class StalenessService(
    GrainId id,
    Silo silo,
    ILoggerFactory loggers,
    ProfileStalenessTracker tracker,
    [FromKeyedServices(GrainClock.Key)] TimeProvider time) : GrainService(id, silo, loggers), IStalenessService
{
    public Task<SiloStaleness> ReportAsync() => Task.FromResult(tracker.Snapshot(time.NowMs()));

    public Task<TrackedProfile?> FindAsync(string userId) => Task.FromResult(tracker.Find(userId, time.NowMs()));
}

public interface IStalenessServiceClient : IGrainServiceClient<IStalenessService>
{
    IStalenessService On(SiloAddress silo);
}

public sealed class StalenessServiceClient(IServiceProvider services) : GrainServiceClient<IStalenessService>(services), IStalenessServiceClient
{
    public IStalenessService On(SiloAddress silo) => GetGrainService(silo);
}
