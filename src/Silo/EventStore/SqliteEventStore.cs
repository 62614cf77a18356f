using System.Text.Json;
using Actors.Abstractions;
using Actors.Grains.Policies;
using Actors.Grains.Services;
using Actors.Learning.Profile;
using Actors.Silo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace Actors.Silo.EventStore;

/// <summary>
/// The event and decision logs in one SQLite file, written by a single thread with group commit:
/// appends queue up while a transaction commits, and the next transaction takes them all. One sync
/// per batch instead of one per event is what lets an acknowledged event be durable at tens of
/// thousands of events per second. Reads use their own pooled connections (WAL lets them run beside the writer).
/// </summary>
public sealed partial class SqliteEventStore : IEventStore, IDisposable
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
        AddMissingColumns(connection, "tip_scores", ("experiment", "TEXT NULL"), ("variant", "TEXT NULL"), ("shadows_json", "TEXT NULL"));
        // Partial: decisions outside an experiment pay no index write.
        Execute(connection, "CREATE INDEX IF NOT EXISTS ix_tip_scores_experiment ON tip_scores (experiment, variant) WHERE experiment IS NOT NULL;");
        DecisionCredits.EnsureTable(connection);
    }

    /// <summary>Columns added since a database was created: CREATE TABLE IF NOT EXISTS leaves an existing table as it was.</summary>
    private static void AddMissingColumns(SqliteConnection connection, string table, params (string Name, string Type)[] columns)
    {
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT name FROM pragma_table_info('{table}')";
            using var reader = command.ExecuteReader();
            while (reader.Read()) present.Add(reader.GetString(0));
        }
        foreach (var (name, type) in columns.Where(c => !present.Contains(c.Name)))
        {
            Execute(connection, $"ALTER TABLE {table} ADD COLUMN {name} {type};");
        }
    }

    public Task<AppendedEvents> AppendEventsAsync(string userId, long nextSeq, FeedbackEvent[] events)
    {
        var write = new EventsWrite(userId, nextSeq, events);
        _queue.Enqueue(write);
        return write.Completion.Task;
    }

    public void AppendDecision(DecisionRecord decision)
    {
        _queue.Enqueue(new DecisionWrite(decision));
    }

    public void AppendUsage(UsageRecord usage) => _queue.Enqueue(new UsageWrite(usage));

    public Task AppendAssignmentAsync(ExperimentAssignment assignment)
    {
        var write = new AssignmentWrite(assignment);
        _queue.Enqueue(write);
        return write.Completion.Task;
    }

    public async Task<IReadOnlyList<ExperimentAssignment>> ReadAssignmentsAsync(string userId)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT experiment, variant, salt, weights, assigned_at_ms FROM experiment_assignments WHERE user_id = @user_id";
        command.Parameters.AddWithValue("@user_id", userId);
        await using var reader = await command.ExecuteReaderAsync();
        var assignments = new List<ExperimentAssignment>();
        while (await reader.ReadAsync())
        {
            assignments.Add(new ExperimentAssignment(reader.GetString(0), userId, reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4)));
        }
        return assignments;
    }

    public async Task<IReadOnlyList<LoggedEvent>> ReadUserEventsAsync(string userId, long afterSeq, bool rewardsOnly = false)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        const string fromFeedback =
            "SELECT event_id, user_seq, tip_id, kind, request_id, NULL, at_ms FROM tip_feedback f WHERE user_id = @user_id AND user_seq > @after";
        command.CommandText = rewardsOnly
            ? fromFeedback + $" AND {DecisionCredits.IsCredited} ORDER BY 2"
            : "SELECT event_id, user_seq, tip_id, 'view', request_id, dwell_ms, at_ms FROM tip_views WHERE user_id = @user_id AND user_seq > @after " +
              "UNION ALL " + fromFeedback + " ORDER BY 2";
        command.Parameters.AddWithValue("@user_id", userId);
        command.Parameters.AddWithValue("@after", afterSeq);
        var events = new List<LoggedEvent>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) events.Add(new LoggedEvent(userId, reader.GetInt64(1), ReadEvent(reader)));
        return events;
    }

    /// <summary>An event from columns event_id, user_seq, tip_id, kind, request_id, dwell_ms, at_ms (in that order).</summary>
    private static FeedbackEvent ReadEvent(SqliteDataReader reader) => new(
        EventId: reader.GetString(0),
        TipId: reader.GetString(2),
        Kind: EventKinds.Parse(reader.GetString(3)),
        RequestId: reader.IsDBNull(4) ? null : reader.GetString(4),
        DwellMs: reader.IsDBNull(5) ? null : reader.GetInt64(5),
        AtMs: reader.GetInt64(6));

    public Task<long> LastUserSeqAsync(string userId) =>
        UserScalarAsync("SELECT COALESCE(MAX(user_seq), 0) FROM event_ids WHERE user_id = @user_id", userId);

    public async Task<IReadOnlyList<(string TipId, EventKind Kind)>> RecentReactionsAsync(string userId, int limit)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT tip_id, kind FROM (" +
            "SELECT tip_id, 'view' AS kind, user_seq FROM tip_views WHERE user_id = @user_id " +
            "UNION ALL SELECT tip_id, kind, user_seq FROM tip_feedback WHERE user_id = @user_id) " +
            "ORDER BY user_seq DESC LIMIT @limit";
        command.Parameters.AddWithValue("@user_id", userId);
        command.Parameters.AddWithValue("@limit", limit);
        var reactions = new List<(string, EventKind)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) reactions.Add((reader.GetString(0), EventKinds.Parse(reader.GetString(1))));
        return reactions;
    }

    public Task<long> LastRewardSeqAsync(string userId) =>
        UserScalarAsync($"SELECT COALESCE(MAX(user_seq), 0) FROM tip_feedback f WHERE user_id = @user_id AND {DecisionCredits.IsCredited}", userId);

    /// <summary>One integer from a query over one user's rows.</summary>
    private async Task<long> UserScalarAsync(string sql, string userId)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
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
        command.CommandText = $"SELECT {DecisionColumns} FROM tip_scores s WHERE s.request_id = @request_id";
        command.Parameters.AddWithValue("@request_id", requestId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? ReadDecision(reader) : null;
    }

    public async Task<IReadOnlyList<RewardedDecision>> ReadRewardedDecisionsAsync(int maxDecisions, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDecisions, 1);
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        // One statement, so one snapshot. Driven from the credits: tip_scores is the larger table and has
        // no index but its key. Only credited reactions count, as the grain learns them.
        command.CommandText =
            "WITH recent AS (" +
            $"SELECT s.request_id, s.created_at_ms FROM {DecisionCredits.OnServedTip} " +
            "ORDER BY s.created_at_ms DESC, s.request_id DESC LIMIT @max) " +
            $"SELECT {DecisionColumns}, s.chosen_tip_id, c.event_id, c.tip_id, c.kind, c.at_ms FROM recent " +
            "JOIN tip_scores s ON s.request_id = recent.request_id " +
            $"JOIN {DecisionCredits.Table} c ON c.request_id = s.request_id " +
            "ORDER BY s.user_id, s.created_at_ms, s.request_id, c.user_seq";
        command.Parameters.AddWithValue("@max", maxDecisions);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var decisions = new List<RewardedDecision>();
        List<FeedbackEvent>? rewards = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            var requestId = reader.GetString(0);
            // A row per reward event: the decision's columns repeat, and are parsed once.
            if (decisions.Count == 0 || decisions[^1].Decision.RequestId != requestId)
            {
                rewards = [];
                decisions.Add(new RewardedDecision(ReadDecision(reader), reader.GetString(8), rewards));
            }
            rewards!.Add(new FeedbackEvent(
                EventId: reader.GetString(9),
                TipId: reader.GetString(10),
                Kind: EventKinds.Parse(reader.GetString(11)),
                RequestId: requestId,
                DwellMs: null,
                AtMs: reader.GetInt64(12)));
        }
        return decisions;
    }

    public async Task<IReadOnlyList<string>> ReadUserIdsAsync(string? afterUserId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        // Keyset paging over the (user_id, user_seq) index: each page is a seek, however far the walk has come.
        command.CommandText = "SELECT DISTINCT user_id FROM event_ids WHERE user_id > @after ORDER BY user_id LIMIT @limit";
        command.Parameters.AddWithValue("@after", afterUserId ?? "");
        command.Parameters.AddWithValue("@limit", limit);
        var users = new List<string>(limit);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) users.Add(reader.GetString(0));
        return users;
    }

    /// <summary>The columns <see cref="ReadDecision"/> reads, in its order, from tip_scores as "s".</summary>
    private const string DecisionColumns =
        "s.request_id, s.user_id, s.policy, s.hour, s.features_json, s.candidates_json, s.created_at_ms, s.prompt_version";

    private DecisionRecord ReadDecision(SqliteDataReader reader) => DecisionJson.Read(
        requestId: reader.GetString(0),
        userId: reader.GetString(1),
        policy: reader.GetString(2),
        hour: reader.GetInt32(3),
        featuresJson: reader.GetString(4),
        candidatesJson: reader.GetString(5),
        createdAtMs: reader.GetInt64(6),
        promptVersion: reader.IsDBNull(7) ? null : reader.GetString(7),
        _catalog);

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
        // Deleted rows are overwritten with zeros, so an erased user's bytes do not linger in free space. The log is
        // append-only: only erasure (and an experiment assignment replaced under a new salt) deletes anything.
        Execute(connection, "PRAGMA secure_delete=ON;");
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
                foreach (var write in batch) write.Execute(statements);
                transaction.Commit();
            }
            if (batch.Exists(write => write.Erases)) TruncateWal(connection);
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

        /// <summary>Deletes a user's rows: the WAL is emptied after its commit, so no older copy of them stays in a file.</summary>
        public virtual bool Erases => false;

        public virtual void Succeed() { }

        public virtual void Fail(Exception error) { }
    }

    private sealed class EventsWrite(string userId, long nextSeq, FeedbackEvent[] events) : PendingWrite
    {
        private readonly long[] _seqs = new long[events.Length];
        private readonly bool[] _credited = new bool[events.Length];
        private string? _refusedRequestId;

        public TaskCompletionSource<AppendedEvents> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Execute(WriteStatements statements)
        {
            // Checked here, in the writer that also runs erasures, so no event can slip in after its decision's erasure.
            foreach (var e in events)
            {
                if (e.RequestId is { } requestId && statements.IsErased(requestId))
                {
                    _refusedRequestId = requestId;
                    return;
                }
            }
            var seq = nextSeq;
            for (var i = 0; i < events.Length; i++)
            {
                var logged = new LoggedEvent(userId, seq, events[i]);
                var written = statements.InsertEvent(logged);
                _seqs[i] = written ? seq++ : 0;
                // Decided here, in the event's own transaction, so the credit is as durable as the event.
                _credited[i] = written && events[i].CarriesReward && statements.Credit(logged);
            }
        }

        public override void Succeed()
        {
            if (_refusedRequestId is { } refused) Completion.TrySetException(new ErasedRequestException(refused));
            else Completion.TrySetResult(new AppendedEvents(_seqs, _credited));
        }

        public override void Fail(Exception error) => Completion.TrySetException(error);
    }

    private sealed class DecisionWrite(DecisionRecord decision) : PendingWrite
    {
        public override void Execute(WriteStatements statements) => statements.InsertDecision(decision);
    }

    private sealed class UsageWrite(UsageRecord usage) : PendingWrite
    {
        public override void Execute(WriteStatements statements) => statements.InsertUsage(usage);
    }

    private sealed class AssignmentWrite(ExperimentAssignment assignment) : PendingWrite
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Execute(WriteStatements statements) => statements.UpsertAssignment(assignment);

        public override void Succeed() => Completion.TrySetResult();

        public override void Fail(Exception error) => Completion.TrySetException(error);
    }

    /// <summary>
    /// Prepared statements of the writer connection, reused for every batch, driven through SQLitePCL.raw
    /// (the layer Microsoft.Data.Sqlite itself sits on): its command objects look every parameter up by
    /// name on every execution, which the decision-log profile showed at over a quarter of the writer's
    /// time. Bound by position here; the statements still run inside the connection's transaction.
    /// </summary>
    private sealed partial class WriteStatements : IDisposable
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _eventId;
        private readonly sqlite3_stmt _view;
        private readonly sqlite3_stmt _feedback;
        private readonly sqlite3_stmt _credit;
        private readonly sqlite3_stmt _decision;
        private readonly sqlite3_stmt _usage;
        private readonly sqlite3_stmt _assignment;
        private readonly sqlite3_stmt _erased;

        public WriteStatements(SqliteConnection connection)
        {
            _db = connection.Handle ?? throw new InvalidOperationException("The writer connection is not open.");
            _erased = Prepare("SELECT 1 FROM erased_requests WHERE request_id = ?1");
            _eventId = Prepare(
                "INSERT INTO event_ids (event_id, user_id, user_seq, received_at_ms) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (event_id) DO NOTHING");
            _view = Prepare(
                "INSERT INTO tip_views (event_id, user_id, user_seq, tip_id, request_id, dwell_ms, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
            _feedback = Prepare(
                "INSERT INTO tip_feedback (event_id, user_id, user_seq, tip_id, kind, request_id, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
            _credit = Prepare(DecisionCredits.InsertSql);
            _decision = Prepare(
                "INSERT OR IGNORE INTO tip_scores (request_id, user_id, policy, chosen_tip_id, candidates_json, features_json, hour, prompt_version, created_at_ms, experiment, variant, shadows_json) " +
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
            _assignment = Prepare(
                "INSERT OR REPLACE INTO experiment_assignments (experiment, user_id, variant, salt, weights, assigned_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
            _usage = Prepare(
                "INSERT INTO llm_usage (prompt_version, provider, model, input_tokens, output_tokens, cost, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        }

        /// <summary>Writes the event unless its id is known; returns whether it was written.</summary>
        public bool InsertEvent(LoggedEvent logged)
        {
            var e = logged.Event;
            Text(_eventId, 1, e.EventId);
            Text(_eventId, 2, logged.UserId);
            raw.sqlite3_bind_int64(_eventId, 3, logged.UserSeq);
            raw.sqlite3_bind_int64(_eventId, 4, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Run(_eventId);
            if (raw.sqlite3_changes(_db) == 0) return false;

            var row = e.Kind == EventKind.View ? _view : _feedback;
            Text(row, 1, e.EventId);
            Text(row, 2, logged.UserId);
            raw.sqlite3_bind_int64(row, 3, logged.UserSeq);
            Text(row, 4, e.TipId);
            if (e.Kind == EventKind.View)
            {
                Text(row, 5, e.RequestId);
                if (e.DwellMs is { } dwell) raw.sqlite3_bind_int64(row, 6, dwell);
                else raw.sqlite3_bind_null(row, 6);
            }
            else
            {
                Text(row, 5, EventKinds.Name(e.Kind));
                Text(row, 6, e.RequestId);
            }
            raw.sqlite3_bind_int64(row, 7, e.AtMs);
            Run(row);
            return true;
        }

        /// <summary>Records a written complete or dismiss as its decision's credit when the rule allows; returns whether it did.</summary>
        public bool Credit(LoggedEvent logged)
        {
            var e = logged.Event;
            Text(_credit, 1, e.RequestId);
            Text(_credit, 2, e.TipId);
            Text(_credit, 3, logged.UserId);
            raw.sqlite3_bind_int64(_credit, 4, logged.UserSeq);
            Text(_credit, 5, e.EventId);
            Text(_credit, 6, EventKinds.Name(e.Kind));
            raw.sqlite3_bind_int64(_credit, 7, e.AtMs);
            Run(_credit);
            return raw.sqlite3_changes(_db) == 1;
        }

        public void InsertDecision(DecisionRecord decision)
        {
            Text(_decision, 1, decision.RequestId);
            Text(_decision, 2, decision.UserId);
            Text(_decision, 3, decision.Policy);
            Text(_decision, 4, decision.Candidates[0].TipId);
            raw.sqlite3_bind_text(_decision, 5, DecisionJson.WriteCandidates(decision));
            raw.sqlite3_bind_text(_decision, 6, DecisionJson.WriteFeatures(decision));
            raw.sqlite3_bind_int64(_decision, 7, decision.Hour);
            Text(_decision, 8, decision.PromptVersion);
            raw.sqlite3_bind_int64(_decision, 9, decision.CreatedAtMs);
            Text(_decision, 10, decision.Experiment);
            Text(_decision, 11, decision.Variant);
            if (decision.Shadows is { Length: > 0 }) raw.sqlite3_bind_text(_decision, 12, DecisionJson.WriteShadows(decision.Shadows));
            else raw.sqlite3_bind_null(_decision, 12);
            Run(_decision);
        }

        public void UpsertAssignment(ExperimentAssignment assignment)
        {
            Text(_assignment, 1, assignment.Experiment);
            Text(_assignment, 2, assignment.UserId);
            Text(_assignment, 3, assignment.Variant);
            Text(_assignment, 4, assignment.Salt);
            Text(_assignment, 5, assignment.Weights);
            raw.sqlite3_bind_int64(_assignment, 6, assignment.AtMs);
            Run(_assignment);
        }

        public void InsertUsage(UsageRecord usage)
        {
            Text(_usage, 1, usage.PromptVersion);
            Text(_usage, 2, usage.Provider);
            Text(_usage, 3, usage.Model);
            raw.sqlite3_bind_int64(_usage, 4, usage.InputTokens);
            raw.sqlite3_bind_int64(_usage, 5, usage.OutputTokens);
            if (usage.Cost is { } cost) raw.sqlite3_bind_double(_usage, 6, cost);
            else raw.sqlite3_bind_null(_usage, 6);
            raw.sqlite3_bind_int64(_usage, 7, usage.AtMs);
            Run(_usage);
        }

        public void Dispose()
        {
            _erased.Dispose();
            _usage.Dispose();
            _assignment.Dispose();
            _eventId.Dispose();
            _view.Dispose();
            _feedback.Dispose();
            _credit.Dispose();
            _decision.Dispose();
        }

        private sqlite3_stmt Prepare(string sql)
        {
            var rc = raw.sqlite3_prepare_v3(_db, sql, raw.SQLITE_PREPARE_PERSISTENT, out var statement);
            SqliteException.ThrowExceptionForRC(rc, _db);
            return statement;
        }

        private static void Text(sqlite3_stmt statement, int index, string? value)
        {
            if (value is null) raw.sqlite3_bind_null(statement, index);
            else raw.sqlite3_bind_text(statement, index, value);
        }

        /// <summary>Steps an INSERT to completion and readies it for the next row, even when it fails.</summary>
        private void Run(sqlite3_stmt statement)
        {
            var rc = raw.sqlite3_step(statement);
            raw.sqlite3_reset(statement);
            raw.sqlite3_clear_bindings(statement);
            if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
