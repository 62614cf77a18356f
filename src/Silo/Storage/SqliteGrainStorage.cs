using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Actors.Silo.Storage;

/// <summary>
/// Grain state in a SQLite file through the official ADO.NET grain storage provider, with the schema and
/// queries this project ships in GrainStorage.sql.
/// </summary>
public static class SqliteGrainStorage
{
    /// <summary>
    /// The only invariant the provider accepts for SQLite: "Microsoft.Data.Sqlite" is missing from its
    /// DbConstantsStore and fails at start. Under this name the provider loads Microsoft.Data.Sqlite's factory.
    /// </summary>
    public const string Invariant = "System.Data.SQLite";

    private const string SchemaResource = "Actors.Silo.Storage.GrainStorage.sql";

    /// <summary>Stores grain state of provider <paramref name="providerName"/> in the SQLite file at <paramref name="databasePath"/>.</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string providerName, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerName);
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);

        // The 10.4.2 provider finds Microsoft.Data.Sqlite by assembly name itself; registering it keeps the
        // mapping explicit for anything that resolves the invariant through DbProviderFactories. Re-registering
        // replaces the entry, so this is safe to repeat.
        DbProviderFactories.RegisterFactory(Invariant, SqliteFactory.Instance);

        // The provider reads its queries from OrleansQuery when the silo starts, so they must exist before.
        EnsureSchema(databasePath);

        var connectionString = ConnectionString(databasePath);
        return builder.AddAdoNetGrainStorage(providerName, options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
    }

    /// <summary>Creates the file, its directory, the storage table and the provider's queries if missing.</summary>
    public static void EnsureSchema(string databasePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var fullPath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);

        using var connection = new SqliteConnection(ConnectionString(fullPath));
        connection.Open();

        // WAL lets grains read while another writes; the mode is stored in the file, so setting it once
        // covers the provider's own connections. It cannot change inside a transaction, hence first.
        using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA journal_mode=WAL;";
            pragma.ExecuteNonQuery();
        }

        // One immediate transaction: silos starting together on one file apply the script one after the
        // other, and none reads OrleansQuery half written.
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = ReadSchema();
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>The connection string the provider uses for <paramref name="databasePath"/>.</summary>
    public static string ConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = Path.GetFullPath(databasePath),
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        // SQLite allows one writer at a time: a grain that finds the file locked retries for up to this many
        // seconds (Microsoft.Data.Sqlite's busy loop) instead of failing its write with SQLITE_BUSY.
        DefaultTimeout = 30,
    }.ToString();

    private static string ReadSchema()
    {
        using var stream = typeof(SqliteGrainStorage).Assembly.GetManifestResourceStream(SchemaResource)
            ?? throw new InvalidOperationException($"Embedded resource {SchemaResource} is missing from {typeof(SqliteGrainStorage).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
