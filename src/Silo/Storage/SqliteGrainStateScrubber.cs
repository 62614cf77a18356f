using Actors.Grains.Services;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Actors.Silo.Storage;

/// <summary>
/// Scrubs grains.db after grain state was deleted. The ADO.NET provider deletes rows through its own
/// connections, which cannot be given PRAGMA secure_delete (its queries must return exactly one result, and
/// the pragma returns one of its own), so SQLite leaves the deleted rows' bytes in free space. VACUUM rewrites
/// the file without them; truncating the WAL then drops the older copies of its pages.
/// </summary>
/// <param name="vacuum">Without it (Storage:VacuumGrainsOnErase false) only the WAL is truncated.</param>
public sealed class SqliteGrainStateScrubber(string databasePath, bool vacuum, ILogger<SqliteGrainStateScrubber> logger) : IGrainStateScrubber
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private long _requested;
    private long _scrubbedThrough;

    public async Task ScrubAsync()
    {
        // Erasures that arrive while a VACUUM runs share the next one: a scrub that starts after a request covers it.
        var request = Interlocked.Increment(ref _requested);
        await _oneAtATime.WaitAsync();
        try
        {
            if (Volatile.Read(ref _scrubbedThrough) >= request) return;
            var covers = Volatile.Read(ref _requested);
            // Microsoft.Data.Sqlite runs statements synchronously; keep the caller's (a grain's) thread free.
            await Task.Run(Scrub);
            Volatile.Write(ref _scrubbedThrough, covers);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private void Scrub()
    {
        using var connection = new SqliteConnection(SqliteGrainStorage.ConnectionString(databasePath));
        connection.Open();
        using var command = connection.CreateCommand();
        if (vacuum)
        {
            command.CommandText = "VACUUM;";
            command.ExecuteNonQuery();
        }
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        using var reader = command.ExecuteReader();
        if (reader.Read() && reader.GetInt64(0) != 0)
        {
            logger.LogWarning("The WAL of {Path} could not be truncated after an erasure; it keeps older page copies until the next checkpoint.", databasePath);
        }
    }
}
