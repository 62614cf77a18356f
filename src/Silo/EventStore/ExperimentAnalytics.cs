using Actors.Silo.Storage;
using Microsoft.Data.Sqlite;

namespace Actors.Silo.EventStore;

/// <summary>How many users one split put in a variant.</summary>
public sealed record AssignmentCount(string Variant, string Salt, string Weights, long Users);

/// <summary>One variant's decisions and the reactions to the tips it served.</summary>
/// <param name="Decisions">Decisions the variant served.</param>
/// <param name="Completes">Those decisions whose served tip's credited reaction (see <see cref="DecisionCredits"/>) is a complete.</param>
/// <param name="Dismisses">Those whose credited reaction on the served tip is a dismiss.</param>
public sealed record VariantOutcome(string Variant, long Decisions, long Completes, long Dismisses);

/// <summary>An experiment's assignments and outcomes, read from the event store in one snapshot.</summary>
public sealed class ExperimentAnalytics(string databasePath)
{
    private readonly string _connectionString = SqlResources.ConnectionString(databasePath);

    public async Task<(IReadOnlyList<AssignmentCount> Assignments, IReadOnlyList<VariantOutcome> Outcomes)> ReadAsync(string experiment)
    {
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        await using var snapshot = connection.BeginTransaction(deferred: true);

        var assignments = new List<AssignmentCount>();
        await using (var command = Command(snapshot, experiment,
            "SELECT variant, salt, weights, COUNT(*) FROM experiment_assignments WHERE experiment = @experiment GROUP BY variant, salt, weights"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) assignments.Add(new AssignmentCount(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
        }

        var decisions = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var command = Command(snapshot, experiment,
            "SELECT variant, COUNT(*) FROM tip_scores WHERE experiment = @experiment GROUP BY variant"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) decisions[reader.GetString(0)] = reader.GetInt64(1);
        }

        // Only the credited reaction to the served tip counts: what the variant's policy chose, as the user it
        // served first answered it. So a decision counts once, and never from another user.
        var reactions = new Dictionary<(string Variant, string Kind), long>();
        await using (var command = Command(snapshot, experiment,
            $"SELECT s.variant, r.kind, COUNT(*) FROM {DecisionCredits.OnServedTip} WHERE s.experiment = @experiment GROUP BY s.variant, r.kind"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) reactions[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
        }

        var outcomes = decisions.Select(d => new VariantOutcome(
            d.Key, d.Value, reactions.GetValueOrDefault((d.Key, "complete")), reactions.GetValueOrDefault((d.Key, "dismiss")))).ToArray();
        return (assignments, outcomes);
    }

    private static SqliteCommand Command(SqliteTransaction transaction, string experiment, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("@experiment", experiment);
        return command;
    }
}
