using Actors.Abstractions;
using Actors.Grains.Services;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace Actors.Silo.EventStore;

/// <summary>One user's rows: their export, and their erasure through the single writer.</summary>
public sealed partial class SqliteEventStore
{
    public Task<ErasureReport> EraseUserEventsAsync(string userId)
    {
        var write = new EraseEventsWrite(userId);
        _queue.Enqueue(write);
        return write.Completion.Task;
    }

    public async Task<ErasureReport> EraseUserDecisionsAsync(string userId)
    {
        // Decisions are queued without waiting, so some may still be in the queue: once this barrier commits, every
        // one queued before it is in the table. The user's bandit grain, their decisions' one writer, is inside its
        // erasure meanwhile and queues no more.
        var barrier = new BarrierWrite();
        _queue.Enqueue(barrier);
        await barrier.Completion.Task;

        // tip_scores has no per-user index (each index costs every decision a B-tree write), so finding the user's
        // decisions is a scan of the table: done here on a reader connection, beside the writer (WAL), rather than in
        // the writer, where it would hold up everyone's appends. The writer then deletes them by primary key.
        var (requestIds, scannedThroughRowId) = await ReadDecisionIdsAsync(userId);
        var write = new EraseDecisionsWrite(userId, requestIds, scannedThroughRowId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _queue.Enqueue(write);
        return await write.Completion.Task;
    }

    public async Task<IReadOnlyList<string>> FindErasedRequestsAsync(IReadOnlyCollection<string> requestIds)
    {
        if (requestIds.Count == 0) return [];
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        // A JSON array bound as one parameter: any number of ids without building SQL text from them.
        command.CommandText = "SELECT request_id FROM erased_requests WHERE request_id IN (SELECT value FROM json_each(@ids))";
        command.Parameters.AddWithValue("@ids", System.Text.Json.JsonSerializer.Serialize(requestIds));
        var erased = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) erased.Add(reader.GetString(0));
        return erased;
    }

    public async Task<UserRecords> ReadUserRecordsAsync(string userId)
    {
        await using var connection = await OpenAsync();
        var events = new List<ExportedEvent>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText =
                "SELECT v.event_id, v.user_seq, v.tip_id, 'view', v.request_id, v.dwell_ms, v.at_ms, e.received_at_ms " +
                "FROM tip_views v JOIN event_ids e ON e.event_id = v.event_id WHERE v.user_id = @user_id " +
                "UNION ALL SELECT f.event_id, f.user_seq, f.tip_id, f.kind, f.request_id, NULL, f.at_ms, e.received_at_ms " +
                "FROM tip_feedback f JOIN event_ids e ON e.event_id = f.event_id WHERE f.user_id = @user_id ORDER BY 2";
            command.Parameters.AddWithValue("@user_id", userId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) events.Add(new ExportedEvent(reader.GetInt64(1), ReadEvent(reader), reader.GetInt64(7)));
        }

        var decisions = new List<ExportedDecision>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText =
                "SELECT request_id, created_at_ms, policy, chosen_tip_id, hour, candidates_json, features_json, shadows_json, " +
                "prompt_version, experiment, variant FROM tip_scores WHERE user_id = @user_id ORDER BY created_at_ms, request_id";
            command.Parameters.AddWithValue("@user_id", userId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                decisions.Add(new ExportedDecision(
                    RequestId: reader.GetString(0),
                    CreatedAtMs: reader.GetInt64(1),
                    Policy: reader.GetString(2),
                    ChosenTipId: reader.GetString(3),
                    Hour: reader.GetInt32(4),
                    CandidatesJson: reader.GetString(5),
                    FeaturesJson: reader.GetString(6),
                    ShadowsJson: NullableString(reader, 7),
                    PromptVersion: NullableString(reader, 8),
                    Experiment: NullableString(reader, 9),
                    Variant: NullableString(reader, 10)));
            }
        }
        return new UserRecords(events, decisions, await ReadAssignmentsAsync(userId));
    }

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>The request ids of the user's committed decisions, and the highest rowid of the table when they were read.</summary>
    private async Task<(List<string> RequestIds, long ScannedThroughRowId)> ReadDecisionIdsAsync(string userId)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        // Rows committed after this read are above it: the writer takes those (rowid > ScannedThroughRowId) itself.
        command.CommandText = "SELECT COALESCE(MAX(rowid), 0) FROM tip_scores";
        var scannedThrough = (long)(await command.ExecuteScalarAsync())!;
        command.CommandText = "SELECT request_id FROM tip_scores WHERE user_id = @user_id AND rowid <= @through";
        command.Parameters.AddWithValue("@user_id", userId);
        command.Parameters.AddWithValue("@through", scannedThrough);
        var requestIds = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) requestIds.Add(reader.GetString(0));
        return (requestIds, scannedThrough);
    }

    /// <summary>
    /// Copies the WAL into the database file and truncates it to zero bytes, so the only copy of each page left is
    /// the current one (with secure_delete, zeros where the erased rows were). A reader in the middle of a query
    /// makes it wait (the connection's busy timeout); if it still cannot finish, the next erasure's truncation does.
    /// </summary>
    private void TruncateWal(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        using var reader = command.ExecuteReader();
        if (reader.Read() && reader.GetInt64(0) != 0)
        {
            _logger.LogWarning("The WAL of the event store could not be truncated after an erasure; erased rows keep an older copy there until the next checkpoint.");
        }
    }

    /// <summary>Writes nothing: completes once everything queued before it has committed.</summary>
    private sealed class BarrierWrite : PendingWrite
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Execute(WriteStatements statements) { }

        public override void Succeed() => Completion.TrySetResult();

        public override void Fail(Exception error) => Completion.TrySetException(error);
    }

    private abstract class EraseWrite : PendingWrite
    {
        protected readonly Dictionary<string, long> Removed = new(StringComparer.Ordinal);
        protected long Tombstoned;

        public TaskCompletionSource<ErasureReport> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool Erases => true;

        public override void Succeed() => Completion.TrySetResult(new ErasureReport(Removed, Tombstoned));

        public override void Fail(Exception error) => Completion.TrySetException(error);
    }

    private sealed class EraseEventsWrite(string userId) : EraseWrite
    {
        public override void Execute(WriteStatements statements)
        {
            Removed.Clear();
            // decision_rewards too: a credit names the user who reacted (see DecisionCredits).
            foreach (var table in new[] { "decision_rewards", "tip_views", "tip_feedback", "event_ids" })
            {
                Removed[table] = statements.DeleteUserRows(table, userId);
            }
        }
    }

    private sealed class EraseDecisionsWrite(string userId, List<string> requestIds, long scannedThroughRowId, long nowMs) : EraseWrite
    {
        public override void Execute(WriteStatements statements)
        {
            // Decisions committed after the scan (none, unless a second activation of the user's bandit was scoring).
            var all = requestIds.Concat(statements.UserDecisionsAfter(userId, scannedThroughRowId)).ToList();
            (Removed["tip_scores"], Tombstoned) = statements.DeleteDecisions(userId, all, nowMs);
            Removed["experiment_assignments"] = statements.DeleteUserRows("experiment_assignments", userId);
        }
    }

    private sealed partial class WriteStatements
    {
        public bool IsErased(string requestId)
        {
            Text(_erased, 1, requestId);
            var rc = raw.sqlite3_step(_erased);
            raw.sqlite3_reset(_erased);
            raw.sqlite3_clear_bindings(_erased);
            if (rc is not (raw.SQLITE_ROW or raw.SQLITE_DONE)) SqliteException.ThrowExceptionForRC(rc, _db);
            return rc == raw.SQLITE_ROW;
        }

        /// <summary>Deletes every row of <paramref name="table"/> (one of this store's tables, never input) whose user_id is the user's.</summary>
        public long DeleteUserRows(string table, string userId)
        {
            using var delete = Prepare($"DELETE FROM {table} WHERE user_id = ?1");
            Text(delete, 1, userId);
            Run(delete);
            return raw.sqlite3_changes(_db);
        }

        public List<string> UserDecisionsAfter(string userId, long rowId)
        {
            using var select = Prepare("SELECT request_id FROM tip_scores WHERE rowid > ?2 AND user_id = ?1");
            Text(select, 1, userId);
            raw.sqlite3_bind_int64(select, 2, rowId);
            var requestIds = new List<string>();
            int rc;
            while ((rc = raw.sqlite3_step(select)) == raw.SQLITE_ROW) requestIds.Add(raw.sqlite3_column_text(select, 0).utf8_to_string());
            if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
            return requestIds;
        }

        /// <summary>Deletes the user's decisions by request id and tombstones each id; answers both counts.</summary>
        public (long Deleted, long Tombstoned) DeleteDecisions(string userId, IEnumerable<string> requestIds, long nowMs)
        {
            using var delete = Prepare("DELETE FROM tip_scores WHERE request_id = ?1 AND user_id = ?2");
            using var tombstone = Prepare("INSERT INTO erased_requests (request_id, erased_at_ms) VALUES (?1, ?2) ON CONFLICT (request_id) DO NOTHING");
            long deleted = 0, tombstoned = 0;
            foreach (var requestId in requestIds)
            {
                Text(delete, 1, requestId);
                Text(delete, 2, userId);
                Run(delete);
                var removed = raw.sqlite3_changes(_db);
                if (removed == 0) continue;
                deleted += removed;
                Text(tombstone, 1, requestId);
                raw.sqlite3_bind_int64(tombstone, 2, nowMs);
                Run(tombstone);
                tombstoned += raw.sqlite3_changes(_db);
            }
            return (deleted, tombstoned);
        }
    }
}
