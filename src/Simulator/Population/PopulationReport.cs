using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Actors.Simulator.Population;

/// <summary>The population run's outputs: the curves as CSV, a console table, and the one-line JSON result.</summary>
public static class PopulationReport
{
    /// <summary>At most about this many rounds in the console table; the CSV has them all.</summary>
    private const int TableRows = 20;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void WriteCsv(PopulationResult result, string path)
    {
        using var writer = new StreamWriter(path);
        writer.WriteLine("round,hour,served_realised,served_expected,random,oracle");
        foreach (var r in result.Rounds)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Round},{r.Hour},{r.ServedRealised:F4},{r.ServedExpected:F4},{r.Random:F4},{r.Oracle:F4}"));
        }
    }

    public static Table RoundsTable(PopulationResult result)
    {
        var table = new Table().AddColumns("round", "hour", "served (realised)", "served (expected)", "random", "oracle", "gap closed");
        var stride = Math.Max(1, (int)Math.Ceiling(result.Rounds.Count / (double)TableRows));
        foreach (var r in result.Rounds.Where(r => r.Round % stride == 0 || r.Round == result.Rounds.Count - 1))
        {
            AddRow(table, $"{r.Round}", $"{r.Hour}", PhaseSummary.Of([r]));
        }
        return table;
    }

    public static Table SummaryTable(PopulationResult result)
    {
        var table = new Table().AddColumns("rounds", "", "served (realised)", "served (expected)", "random", "oracle", "gap closed");
        AddRow(table, "first", "", result.FirstRound);
        AddRow(table, $"last {result.LastRounds.Rounds}", "", result.LastRounds);
        AddRow(table, $"all {result.AllRounds.Rounds}", "", result.AllRounds);
        return table;
    }

    /// <summary>One JSON object: the run's settings and the first, last and overall phase summaries.</summary>
    public static string ToJson(PopulationResult result, string? requestedPolicy) => JsonSerializer.Serialize(new
    {
        command = "population",
        mode = result.Mode,
        policy = result.Policy,
        requested_policy = requestedPolicy,
        population = result.Settings.Population,
        users = result.Settings.Users,
        rounds = result.Settings.Rounds,
        candidates = result.Settings.Candidates,
        seed = result.Settings.Seed,
        first_round = result.FirstRound,
        last_rounds = result.LastRounds,
        all_rounds = result.AllRounds,
    }, Json);

    private static void AddRow(Table table, string label, string hour, PhaseSummary phase) => table.AddRow(
        label, hour, $"{phase.ServedRealised:F3}", $"{phase.ServedExpected:F3}", $"{phase.Random:F3}", $"{phase.Oracle:F3}",
        phase.GapClosed is { } gap ? $"{gap:P0}" : "-");
}
