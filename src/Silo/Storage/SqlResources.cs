using Microsoft.Data.Sqlite;

namespace Actors.Silo.Storage;

public static class SqlResources
{
    /// <summary>Reads a .sql file embedded from the Storage folder.</summary>
    public static string Read(string fileName)
    {
        var name = $"Actors.Silo.Storage.{fileName}";
        using var stream = typeof(SqlResources).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>A connection string for a database file; busy writers wait for each other up to the timeout.</summary>
    public static string ConnectionString(string databasePath) => new SqliteConnectionStringBuilder
    {
        DataSource = databasePath,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();
}
