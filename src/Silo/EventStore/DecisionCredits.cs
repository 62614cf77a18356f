using Microsoft.Data.Sqlite;

namespace Actors.Silo.EventStore;

/// <summary>
/// One credit per (request_id, tip_id): a complete or dismiss credits a decision's tip only when it comes from
/// the user the decision served, names a tip that decision offered, and is the first such reaction to that
/// decision and tip. The writer records the credit in decision_rewards in the transaction that appends the
/// event; the bandit (live and on replay), experiment and prompt analytics and offline evaluation all read it
/// from there, so they cannot disagree. Later reactions stay in tip_feedback as events and credit nothing.
/// </summary>
internal static class DecisionCredits
{
    public const string Table = "decision_rewards";

    /// <summary>The rule, over a reaction <c>f</c> (tip_feedback's columns) and the decision <c>s</c> (tip_scores) it names.</summary>
    private const string Rule =
        "s.request_id = f.request_id AND s.user_id = f.user_id " +
        "AND EXISTS (SELECT 1 FROM json_each(s.candidates_json, '$.tip_ids') WHERE value = f.tip_id)";

    private const string Columns = "request_id, tip_id, user_id, user_seq, event_id, kind, at_ms";

    /// <summary>
    /// The writer's statement for one just-appended complete or dismiss, bound by position in <see cref="Columns"/>
    /// order; one row changed means it took the credit. OR IGNORE on the primary key is what makes the first win.
    /// </summary>
    public const string InsertSql =
        $"INSERT OR IGNORE INTO {Table} ({Columns}) SELECT f.request_id, f.tip_id, f.user_id, f.user_seq, f.event_id, f.kind, f.at_ms " +
        "FROM (SELECT ?1 AS request_id, ?2 AS tip_id, ?3 AS user_id, ?4 AS user_seq, ?5 AS event_id, ?6 AS kind, ?7 AS at_ms) f " +
        $"JOIN tip_scores s ON {Rule}";

    /// <summary>
    /// A database from before this table: the same rule over the log, the first reaction (by user_seq) of each
    /// decision and tip winning, as the writer would have decided it.
    /// </summary>
    private const string BackfillSql =
        $"INSERT OR IGNORE INTO {Table} ({Columns}) SELECT {Columns} FROM (" +
        $"SELECT f.request_id, f.tip_id, f.user_id, f.user_seq, f.event_id, f.kind, f.at_ms, " +
        "ROW_NUMBER() OVER (PARTITION BY f.request_id, f.tip_id ORDER BY f.user_seq) AS n " +
        $"FROM tip_feedback f JOIN tip_scores s ON {Rule}) WHERE n = 1";

    /// <summary>Whether the tip_feedback row <c>f</c> is the one that took its decision's credit.</summary>
    public const string IsCredited =
        $"EXISTS (SELECT 1 FROM {Table} r WHERE r.request_id = f.request_id AND r.tip_id = f.tip_id AND r.event_id = f.event_id)";

    /// <summary>
    /// Decisions (tip_scores as <c>s</c>) with the credited reaction on the tip they served (decision_rewards as
    /// <c>r</c>): at most one row per decision, from the user it served. What every analytics count reads.
    /// </summary>
    public const string OnServedTip = $"tip_scores s JOIN {Table} r ON r.request_id = s.request_id AND r.tip_id = s.chosen_tip_id";

    /// <summary>
    /// Creates the table and, in the same transaction, fills it from the log: so a database either has the table
    /// with every credit of its past, or has neither, and a crash in between leaves nothing half done. Runs only
    /// when the table is missing (the backfill reads the whole feedback log).
    /// </summary>
    public static void EnsureTable(SqliteConnection connection)
    {
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '{Table}'";
        if ((long)command.ExecuteScalar()! > 0) return;

        command.CommandText = $"""
            CREATE TABLE {Table} (
                request_id  TEXT    NOT NULL,
                tip_id      TEXT    NOT NULL,
                user_id     TEXT    NOT NULL,           -- the decision's user, who sent the reaction
                user_seq    INTEGER NOT NULL,           -- the reaction's position in that user's log
                event_id    TEXT    NOT NULL,           -- the reaction's tip_feedback row
                kind        TEXT    NOT NULL CHECK (kind IN ('complete', 'dismiss')),
                at_ms       INTEGER NOT NULL,
                PRIMARY KEY (request_id, tip_id)
            ) WITHOUT ROWID;
            {BackfillSql};
            """;
        command.ExecuteNonQuery();
        transaction.Commit();
    }
}
