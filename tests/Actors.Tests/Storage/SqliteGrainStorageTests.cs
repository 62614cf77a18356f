using System.Text;
using Actors.Silo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit;

namespace Actors.Tests.Storage;

[Alias("Actors.Tests.Storage.IStorageProbeGrain")]
public interface IStorageProbeGrain : IGrainWithStringKey
{
    [Alias("SetAsync")]
    Task SetAsync(StorageProbeState state);

    [Alias("GetAsync")]
    Task<StorageProbeState> GetAsync();

    [Alias("ClearAsync")]
    Task ClearAsync();
}

// Shaped like the project's state types, arrays included: the default storage serializer (Newtonsoft.Json)
// names every runtime type in the payload and resolves it against Orleans' type allow-list on read.
[GenerateSerializer, Immutable, Alias("Actors.Tests.Storage.StorageProbeState")]
public sealed record StorageProbeState
{
    [Id(0)] public string Text { get; init; } = "";
    [Id(1)] public long Count { get; init; }
    [Id(2)] public string[] Tags { get; init; } = [];
    [Id(3)] public double[] Weights { get; init; } = [];
}

public sealed class StorageProbeGrain(
    [PersistentState("probe", StorageProbeCluster.StorageName)] IPersistentState<StorageProbeState> state)
    : Grain, IStorageProbeGrain
{
    public Task SetAsync(StorageProbeState value)
    {
        state.State = value;
        return state.WriteStateAsync();
    }

    public Task<StorageProbeState> GetAsync() => Task.FromResult(state.State);

    public Task ClearAsync() => state.ClearStateAsync();
}

/// <summary>A temporary SQLite file and a one-silo cluster storing grain state in it.</summary>
public sealed class StorageProbeCluster : IAsyncLifetime
{
    public const string StorageName = "storage-probe";

    // Fixed so that a second cluster on the same file finds the first one's rows: ServiceId is part of the key.
    private const string ServiceId = "storage-probe-service";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "actors-storage-tests-" + Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(_directory, "grains.db");

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainStorage Storage => Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageName);

    public async ValueTask InitializeAsync() => Cluster = await StartClusterAsync();

    public async Task<InProcessTestCluster> StartClusterAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = ServiceId;
        builder.ConfigureSilo((_, silo) => silo.AddSqliteGrainStorage(StorageName, DatabasePath));
        var cluster = builder.Build();
        await cluster.DeployAsync(TestContext.Current.CancellationToken);
        return cluster;
    }

    /// <summary>How many rows a string-keyed grain has in the file.</summary>
    public long CountRows(string grainKey)
    {
        using var connection = new SqliteConnection(SqliteGrainStorage.ConnectionString(DatabasePath));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM OrleansStorage WHERE GrainIdExtensionString = $key";
        command.Parameters.AddWithValue("$key", grainKey);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The payload column of a string-keyed grain's row, read straight from the file.</summary>
    public byte[]? ReadPayload(string grainKey)
    {
        using var connection = new SqliteConnection(SqliteGrainStorage.ConnectionString(DatabasePath));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT PayloadBinary FROM OrleansStorage WHERE GrainIdExtensionString = $key";
        command.Parameters.AddWithValue("$key", grainKey);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), $"no row for grain {grainKey} in {DatabasePath}");
        var payload = reader.IsDBNull(0) ? null : (byte[])reader[0];
        Assert.False(reader.Read(), $"more than one row for grain {grainKey}");
        return payload;
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        // Pooled connections keep the file open; release this file's pool (not other tests') so the directory can go.
        using (var connection = new SqliteConnection(SqliteGrainStorage.ConnectionString(DatabasePath)))
        {
            SqliteConnection.ClearPool(connection);
        }

        Directory.Delete(_directory, recursive: true);
    }
}

public sealed class SqliteGrainStorageTests(StorageProbeCluster fixture) : IClassFixture<StorageProbeCluster>
{
    private static readonly StorageProbeState Sample = new() { Text = "hello", Count = 42, Tags = ["a", "b"], Weights = [0.5, -1.25] };

    [Fact]
    public async Task StateWrittenByOneActivationIsReadByTheNext()
    {
        var key = NewKey();
        var grain = fixture.Cluster.Client.GetGrain<IStorageProbeGrain>(key);
        await grain.SetAsync(Sample);

        await fixture.Cluster.DeactivateAsync(grain);

        AssertSample(await grain.GetAsync());
        // In the file, as JSON: the provider's default serializer is Orleans' Newtonsoft.Json one.
        var payload = Encoding.UTF8.GetString(fixture.ReadPayload(key)!);
        Assert.Contains("\"Text\":\"hello\"", payload);
    }

    [Fact]
    public async Task StateSurvivesClusterRestart()
    {
        var key = NewKey();
        await using (var first = await fixture.StartClusterAsync())
        {
            await first.Client.GetGrain<IStorageProbeGrain>(key).SetAsync(Sample);
            await first.StopAllSilosAsync(TestContext.Current.CancellationToken);
        }

        await using var second = await fixture.StartClusterAsync();
        AssertSample(await second.Client.GetGrain<IStorageProbeGrain>(key).GetAsync());
    }

    [Fact]
    public async Task WriteWithStaleETagFailsAndDoesNotOverwrite()
    {
        var id = NewGrainId();
        var current = new GrainState<StorageProbeState> { State = Sample with { Text = "v1" } };
        await fixture.Storage.WriteStateAsync("probe", id, current);
        var stale = new GrainState<StorageProbeState> { State = Sample with { Text = "stale" }, ETag = current.ETag };
        current.State = Sample with { Text = "v2" };
        await fixture.Storage.WriteStateAsync("probe", id, current);

        await Assert.ThrowsAsync<InconsistentStateException>(() => fixture.Storage.WriteStateAsync("probe", id, stale));

        var stored = await ReadAsync(id);
        Assert.Equal("v2", stored.State.Text);
        Assert.Equal(current.ETag, stored.ETag);
        Assert.NotEqual(stale.ETag, stored.ETag);
    }

    [Fact]
    public async Task FirstWriteOfAGrainThatAlreadyHasStateFails()
    {
        // Two activations that both read "nothing stored" (ETag null): only the first write may land.
        var id = NewGrainId();
        await fixture.Storage.WriteStateAsync("probe", id, new GrainState<StorageProbeState> { State = Sample with { Text = "first" } });

        var late = new GrainState<StorageProbeState> { State = Sample with { Text = "late" } };
        await Assert.ThrowsAsync<InconsistentStateException>(() => fixture.Storage.WriteStateAsync("probe", id, late));

        Assert.Equal("first", (await ReadAsync(id)).State.Text);
    }

    [Fact]
    public async Task ClearDeletesTheRowAndTheGrainCanWriteAgain()
    {
        var key = NewKey();
        var grain = fixture.Cluster.Client.GetGrain<IStorageProbeGrain>(key);
        await grain.SetAsync(Sample);

        await grain.ClearAsync();

        // Deleted, not emptied: the row's key names the grain (for a user's grains, the user).
        Assert.Equal(0, fixture.CountRows(key));
        // The same activation writes again: its ETag is null after the clear, so the write inserts a fresh row.
        await grain.SetAsync(Sample with { Text = "after clear" });
        await fixture.Cluster.DeactivateAsync(grain);
        Assert.Equal("after clear", (await grain.GetAsync()).Text);
        Assert.Equal(1, fixture.CountRows(key));

        await grain.ClearAsync();
        await fixture.Cluster.DeactivateAsync(grain);
        Assert.Equal(new StorageProbeState().Text, (await grain.GetAsync()).Text);
        Assert.Equal(0, fixture.CountRows(key));
    }

    [Fact]
    public async Task ClearWithStaleETagFailsAndKeepsState()
    {
        var id = NewGrainId();
        var current = new GrainState<StorageProbeState> { State = Sample with { Text = "v1" } };
        await fixture.Storage.WriteStateAsync("probe", id, current);
        var stale = new GrainState<StorageProbeState> { State = current.State, ETag = current.ETag, RecordExists = true };
        current.State = Sample with { Text = "v2" };
        await fixture.Storage.WriteStateAsync("probe", id, current);

        await Assert.ThrowsAsync<InconsistentStateException>(() => fixture.Storage.ClearStateAsync("probe", id, stale));

        Assert.Equal("v2", (await ReadAsync(id)).State.Text);
    }

    // Not a bare 32-digit hex string: Orleans would take that for a Guid key and store it in GrainIdN0/N1.
    private static string NewKey() => "probe-" + Guid.NewGuid().ToString("N");

    private static GrainId NewGrainId() => GrainId.Create("storageprobe", NewKey());

    private async Task<(StorageProbeState State, string? ETag)> ReadAsync(GrainId id)
    {
        var read = new GrainState<StorageProbeState>();
        await fixture.Storage.ReadStateAsync("probe", id, read);
        Assert.True(read.RecordExists);
        Assert.NotNull(read.State);
        return (read.State, read.ETag);
    }

    private static void AssertSample(StorageProbeState state)
    {
        Assert.Equal(Sample.Text, state.Text);
        Assert.Equal(Sample.Count, state.Count);
        Assert.Equal(Sample.Tags, state.Tags);
        Assert.Equal(Sample.Weights, state.Weights);
    }
}
