using System.Text.Json;
using Actors.Abstractions;
using Actors.Grains.Services;
using Actors.Learning.Profile;
using Actors.Silo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Actors.Silo.EventStore;

/// <summary>
/// The event and decision logs in one SQLite file, written by a single thread with group commit:
/// appends queue up while a transaction commits, and the next transaction takes them all. One sync
/// per batch instead of one per event is what lets an acknowledged event be durable at tens of
/// thousands of events per second. Reads use their own pooled connections (WAL lets them run beside the writer).
/// </summary>
public sealed class SqliteEventStore : IEventStore, IDisposable
{
    private readonly string _connectionString;
    private readonly ITipCatalog _catalog;
    private readonly ILogger<SqliteEventStore> _logger;
    private readonly EventStoreOptions _options;
    private readonly WriteQueue<PendingWrite> _queue = new();
    private readonly Thread _writer;

    public SqliteEventStore(string databasePath, EventStoreOptions options, ITipCatalog catalog, ILogger<SqliteEventStore> logger)
    {
        _options = options;
        _catalog = catalog;
        _logger = logger;
        _connectionString = SqlResources.ConnectionString(databasePath);
        EnsureSchema(databasePath);
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "event-store-writer" };
        _writer.Start();
    }

    /// <summary>Creates the event tables and turns on WAL; safe to call on an existing database.</summary>
    public static void EnsureSchema(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        using var connection = new SqliteConnection(SqlResources.ConnectionString(databasePath));
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, SqlResources.Read("EventStore.sql"));
    }

    public Task<long[]> AppendEventsAsync(string userId, long nextSeq, FeedbackEvent[] events)
    {
        var write = new EventsWrite(userId, nextSeq, events);
        _queue.Enqueue(write);
        return write.Completion.Task;
    }

    public void AppendDecision(DecisionRecord decision)
    {
        _queue.Enqueue(new DecisionWrite(decision));
    }

    public async Task<IReadOnlyList<LoggedEvent>> ReadUserEventsAsync(string userId, long afterSeq)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT event_id, user_seq, tip_id, 'view', request_id, dwell_ms, at_ms FROM tip_views WHERE user_id = @user_id AND user_seq > @after " +
            "UNION ALL SELECT event_id, user_seq, tip_id, kind, request_id, NULL, at_ms FROM tip_feedback WHERE user_id = @user_id AND user_seq > @after " +
            "ORDER BY 2";
        command.Parameters.AddWithValue("@user_id", userId);
        command.Parameters.AddWithValue("@after", afterSeq);
        var events = new List<LoggedEvent>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var feedback = new FeedbackEvent(
                EventId: reader.GetString(0),
                TipId: reader.GetString(2),
                Kind: EventKinds.Parse(reader.GetString(3)),
                RequestId: reader.IsDBNull(4) ? null : reader.GetString(4),
                DwellMs: reader.IsDBNull(5) ? null : reader.GetInt64(5),
                AtMs: reader.GetInt64(6));
            events.Add(new LoggedEvent(userId, reader.GetInt64(1), feedback));
        }
        return events;
    }

    public async Task<long> LastUserSeqAsync(string userId)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(user_seq), 0) FROM event_ids WHERE user_id = @user_id";
        command.Parameters.AddWithValue("@user_id", userId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<ProfileAccumulator> AggregateProfileAsync(string userId, long nowMs)
    {
        var accumulator = new ProfileAccumulator();
        await using var connection = await OpenAsync();
        var features = ProfileFeatureRegistry.All;
        for (var i = 0; i < features.Count; i++)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = features[i].SqlAggregation;
            command.Parameters.AddWithValue("@user_id", userId);
            command.Parameters.AddWithValue("@since_ms", nowMs - (long)features[i].Window.TotalMilliseconds);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                accumulator.SetSlot(i, reader.GetInt32(0), reader.GetDouble(1));
            }
        }
        return accumulator;
    }

    public async Task<DecisionRecord?> FindDecisionAsync(string requestId)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT user_id, policy, hour, features_json, candidates_json, created_at_ms, prompt_version FROM tip_scores WHERE request_id = @request_id";
        command.Parameters.AddWithValue("@request_id", requestId);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return null;
        return DecisionJson.Read(
            requestId,
            userId: reader.GetString(0),
            policy: reader.GetString(1),
            hour: reader.GetInt32(2),
            featuresJson: reader.GetString(3),
            candidatesJson: reader.GetString(4),
            createdAtMs: reader.GetInt64(5),
            promptVersion: reader.IsDBNull(6) ? null : reader.GetString(6),
            _catalog);
    }

    /// <summary>Stops taking writes and waits for everything queued to be committed.</summary>
    public void Dispose()
    {
        _queue.Close();
        _writer.Join();
    }

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        return connection;
    }

    private void WriteLoop()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, $"PRAGMA synchronous={_options.Synchronous};");
        using var statements = new WriteStatements(connection);
        var batch = new List<PendingWrite>(_options.MaxBatch);
        while (_queue.TakeBatch(batch, _options.MaxBatch)) CommitBatch(connection, statements, batch);
    }

    private void CommitBatch(SqliteConnection connection, WriteStatements statements, List<PendingWrite> batch)
    {
        try
        {
            using (var transaction = connection.BeginTransaction())
            {
                statements.Enlist(transaction);
                foreach (var write in batch) write.Execute(statements);
                transaction.Commit();
            }
            foreach (var write in batch) write.Succeed();
        }
        catch (Exception batchError) when (batch.Count > 1)
        {
            // One bad write must not fail its neighbours: retry each alone, so only the culprit fails.
            _logger.LogWarning(batchError, "A batch of {Count} log writes failed; retrying them one by one.", batch.Count);
            foreach (var write in batch) CommitBatch(connection, statements, [write]);
        }
        catch (Exception error)
        {
            _logger.LogError(error, "A log write failed.");
            foreach (var write in batch) write.Fail(error);
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private abstract class PendingWrite
    {
        public abstract void Execute(WriteStatements statements);

        public virtual void Succeed() { }

        public virtual void Fail(Exception error) { }
    }

    private sealed class EventsWrite(string userId, long nextSeq, FeedbackEvent[] events) : PendingWrite
    {
        private readonly long[] _seqs = new long[events.Length];

        public TaskCompletionSource<long[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Execute(WriteStatements statements)
        {
            var seq = nextSeq;
            for (var i = 0; i < events.Length; i++)
            {
                _seqs[i] = statements.InsertEvent(new LoggedEvent(userId, seq, events[i])) ? seq++ : 0;
            }
        }

        public override void Succeed() => Completion.TrySetResult(_seqs);

        public override void Fail(Exception error) => Completion.TrySetException(error);
    }

    private sealed class DecisionWrite(DecisionRecord decision) : PendingWrite
    {
        public override void Execute(WriteStatements statements) => statements.InsertDecision(decision);
    }

    /// <summary>Prepared statements of the writer connection, reused for every batch.</summary>
    private sealed class WriteStatements : IDisposable
    {
        private readonly SqliteCommand _eventId;
        private readonly SqliteCommand _view;
        private readonly SqliteCommand _feedback;
        private readonly SqliteCommand _decision;

        public WriteStatements(SqliteConnection connection)
        {
            _eventId = Prepare(connection,
                "INSERT INTO event_ids (event_id, user_id, user_seq, received_at_ms) VALUES (@event_id, @user_id, @user_seq, @received_at_ms) " +
                "ON CONFLICT (event_id) DO NOTHING",
                "@event_id", "@user_id", "@user_seq", "@received_at_ms");
            _view = Prepare(connection,
                "INSERT INTO tip_views (event_id, user_id, user_seq, tip_id, request_id, dwell_ms, at_ms) VALUES (@event_id, @user_id, @user_seq, @tip_id, @request_id, @dwell_ms, @at_ms)",
                "@event_id", "@user_id", "@user_seq", "@tip_id", "@request_id", "@dwell_ms", "@at_ms");
            _feedback = Prepare(connection,
                "INSERT INTO tip_feedback (event_id, user_id, user_seq, tip_id, kind, request_id, at_ms) VALUES (@event_id, @user_id, @user_seq, @tip_id, @kind, @request_id, @at_ms)",
                "@event_id", "@user_id", "@user_seq", "@tip_id", "@kind", "@request_id", "@at_ms");
            _decision = Prepare(connection,
                "INSERT OR IGNORE INTO tip_scores (request_id, user_id, policy, chosen_tip_id, candidates_json, features_json, hour, prompt_version, created_at_ms) " +
                "VALUES (@request_id, @user_id, @policy, @chosen_tip_id, @candidates_json, @features_json, @hour, @prompt_version, @created_at_ms)",
                "@request_id", "@user_id", "@policy", "@chosen_tip_id", "@candidates_json", "@features_json", "@hour", "@prompt_version", "@created_at_ms");
        }

        public void Enlist(SqliteTransaction transaction)
        {
            _eventId.Transaction = transaction;
            _view.Transaction = transaction;
            _feedback.Transaction = transaction;
            _decision.Transaction = transaction;
        }

        /// <summary>Writes the event unless its id is known; returns whether it was written.</summary>
        public bool InsertEvent(LoggedEvent logged)
        {
            var e = logged.Event;
            Bind(_eventId, e.EventId, logged.UserId, logged.UserSeq, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            if (_eventId.ExecuteNonQuery() == 0) return false;

            if (e.Kind == EventKind.View)
            {
                Bind(_view, e.EventId, logged.UserId, logged.UserSeq, e.TipId, e.RequestId, e.DwellMs, e.AtMs);
                _view.ExecuteNonQuery();
            }
            else
            {
                Bind(_feedback, e.EventId, logged.UserId, logged.UserSeq, e.TipId, EventKinds.Name(e.Kind), e.RequestId, e.AtMs);
                _feedback.ExecuteNonQuery();
            }
            return true;
        }

        public void InsertDecision(DecisionRecord decision)
        {
            Bind(_decision,
                decision.RequestId, decision.UserId, decision.Policy, decision.Candidates[0].TipId,
                DecisionJson.WriteCandidates(decision), DecisionJson.WriteFeatures(decision),
                decision.Hour, decision.PromptVersion, decision.CreatedAtMs);
            _decision.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _eventId.Dispose();
            _view.Dispose();
            _feedback.Dispose();
            _decision.Dispose();
        }

        private static SqliteCommand Prepare(SqliteConnection connection, string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
            command.Prepare();
            return command;
        }

        private static void Bind(SqliteCommand command, params object?[] values)
        {
            for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }
}
