using Actors.Grains.Options;
using Actors.Silo.Catalog;
using Actors.Silo.EventStore;
using Actors.Silo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Actors.Tests.Learning;

/// <summary>A real <see cref="SqliteEventStore"/> (and its catalog) on a file in a fresh temp directory.</summary>
internal sealed class TempEventStore : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "actors-learning-tests-" + Guid.NewGuid().ToString("N"));

    public TempEventStore()
    {
        DatabasePath = Path.Combine(_directory, "events.db");
        (Catalog, Store) = Open();
    }

    public string DatabasePath { get; }

    public SqliteTipCatalog Catalog { get; private set; }

    public SqliteEventStore Store { get; private set; }

    /// <summary>Flushes and stops the writer, then opens the same file again, as a restarted silo would.</summary>
    public void Reopen()
    {
        Store.Dispose();
        (Catalog, Store) = Open();
    }

    /// <summary>Runs a scalar query on its own connection, bypassing the store.</summary>
    public object? Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection(SqlResources.ConnectionString(DatabasePath));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command.ExecuteScalar();
    }

    public long Count(string sql, params (string Name, object Value)[] parameters) => (long)Scalar(sql, parameters)!;

    public void Dispose()
    {
        Store.Dispose();
        using (var connection = new SqliteConnection(SqlResources.ConnectionString(DatabasePath))) SqliteConnection.ClearPool(connection);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled handle still open elsewhere; the OS temp cleanup will get it.
        }
    }

    private (SqliteTipCatalog, SqliteEventStore) Open()
    {
        var catalog = new SqliteTipCatalog(DatabasePath, TimeProvider.System, new LimitsOptions());
        var store = new SqliteEventStore(DatabasePath, new EventStoreOptions(), catalog, NullLogger<SqliteEventStore>.Instance);
        return (catalog, store);
    }
}
