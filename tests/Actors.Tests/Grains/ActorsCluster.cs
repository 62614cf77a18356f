using Actors.Grains;
using Actors.Grains.Services;
using Actors.Silo;
using Actors.Silo.Storage;
using Actors.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace Actors.Tests.Grains;

/// <summary>
/// A one-silo in-process Orleans test cluster running the real grains on real SQLite files.
/// Snapshots are taken every second (Orleans' timers, on the real clock); profiles refresh after two seconds
/// of <see cref="Clock"/>, the grains' clock, which the tests advance by hand.
/// </summary>
public sealed class ActorsCluster : IAsyncLifetime
{
    public string DataDirectory { get; } = TempDirectory.Create("actors-cluster");

    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>The grains' clock; it starts at the real time so events stamped now fall inside the feature windows.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public IGrainFactory Grains => Cluster.Client;

    public IServiceProvider SiloServices => Cluster.Silos[0].ServiceProvider;

    public IEventStore Store => Cluster.Silos[0].ServiceProvider.GetRequiredService<IEventStore>();

    public async ValueTask InitializeAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = DataDirectory,
            ["Snapshots:Interval"] = "00:00:01",
            ["Profile:Ttl"] = "00:00:02",
        }).Build();
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddSqliteGrainStorage(StorageNames.Grains, ActorsSilo.BindStorage(configuration).GrainDatabasePath);
            silo.Services.AddKeyedSingleton<TimeProvider>(GrainClock.Key, Clock);
            silo.Services.AddActorsServices(configuration);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        SqliteConnection.ClearAllPools();
        TempDirectory.Delete(DataDirectory);
    }
}
