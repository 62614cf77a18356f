using Actors.Grains;
using Actors.Grains.Services;
using Actors.Silo;
using Actors.Silo.Storage;
using Actors.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Orleans.TestingHost;

namespace Actors.Tests.Grains;

/// <summary>
/// A one-silo in-process Orleans test cluster running the real grains on real SQLite files.
/// Snapshots are taken every second and profiles refresh after two, so the tests can watch both happen.
/// </summary>
public sealed class ActorsCluster : IAsyncLifetime
{
    public string DataDirectory { get; } = TempDirectory.Create("actors-cluster");

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

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
