using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Actors.Simulator.Population;

/// <summary>
/// How much a new user gains from what the service learned from others: warm users learn for some rounds,
/// then new users join; over the new users' first rounds, the share of the random-to-oracle gap each cohort
/// closes, and the ratio new / warm (the target: at least one half).
/// </summary>
public static class ColdStartCommand
{
    public const double Target = 0.5;

    public static string Usage => $$"""
        usage: dotnet run -c Release --project src/Simulator -- cold-start [options]
          --population P   {{string.Join(", ", PopulationKinds.Names)}} (default {{PopulationKinds.SharedTaste}})
          --warm-users N   users who learn from the start (default 200)
          --warm-rounds W  rounds before the new users arrive (default 20)
          --new-users M    users who join after W rounds (default 200)
          --new-rounds K   rounds measured after they join, both cohorts in each (default 10)
          --pause SECONDS  wait before the new users' first request, for a prior that aggregates on a timer (default 0)
          --candidates C, --seed S, --policy NAME, --set KEY=VALUE, --concurrency K   as for population (in process)
        Prints, over rounds W+1 .. W+K, the gap closed by the warm and by the new users and their ratio;
        the last line of the output is the result as JSON.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = ColdStartOptions.Parse(args);
        if (options is null) return 2;
        Console.Error.WriteLine("Starting the service in this process…");
        // The log's durability is not under test here; NORMAL spares the fsyncs (a --set can say FULL).
        var overrides = ServiceOverrides.For(options.Seed, options.Policy, options.Sets.Prepend(new("EventStore:Synchronous", "NORMAL")));
        await using var service = await InProcessTipService.StartAsync(overrides, options.Concurrency);
        var result = await RunAsync(service, options);

        var table = new Table().AddColumns("cohort", "users", "rounds", "served (expected)", "random", "oracle", "gap closed");
        AddRow(table, "warm", options.WarmUsers, result.Warm);
        AddRow(table, "new", options.NewUsers, result.New);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(CultureInfo.InvariantCulture, "new / warm: [bold]{0}[/] (target ≥ {1:F1})",
            result.Ratio is { } ratio ? ratio.ToString("F2", CultureInfo.InvariantCulture) : "-", Target);
        Console.WriteLine(ToJson(result));
        return 0;
    }

    /// <summary>The warm phase, then both cohorts together for the measured rounds.</summary>
    public static async Task<ColdStartResult> RunAsync(ITipService service, ColdStartOptions options, CancellationToken cancellationToken = default)
    {
        var run = await PopulationRun.StartAsync(service, options.Settings, cancellationToken);
        var warm = run.AddUsers(options.WarmUsers, "w");
        for (var round = 0; round < options.WarmRounds; round++) await run.RoundAsync(round, warm, null, cancellationToken);
        if (options.Pause > TimeSpan.Zero) await Task.Delay(options.Pause, cancellationToken);

        var fresh = run.AddUsers(options.NewUsers, "n");
        var everyone = warm.Concat(fresh).ToArray();
        var warmRounds = new List<RoundResult>();
        var newRounds = new List<RoundResult>();
        for (var round = options.WarmRounds; round < options.WarmRounds + options.NewRounds; round++)
        {
            var outcomes = await run.RoundAsync(round, everyone, null, cancellationToken);
            warmRounds.Add(RoundResult.Of(round, run.HourOf(round), outcomes[..warm.Length]));
            newRounds.Add(RoundResult.Of(round, run.HourOf(round), outcomes[warm.Length..]));
        }
        return new ColdStartResult(options, run.Policies, PhaseSummary.Of(warmRounds), PhaseSummary.Of(newRounds), newRounds);
    }

    public static string ToJson(ColdStartResult result) => JsonSerializer.Serialize(new
    {
        command = "cold-start",
        policy = result.Policy,
        population = result.Options.Population,
        seed = result.Options.Seed,
        sets = result.Options.Sets.ToDictionary(p => p.Key, p => p.Value),
        warm_users = result.Options.WarmUsers,
        warm_rounds = result.Options.WarmRounds,
        new_users = result.Options.NewUsers,
        new_rounds = result.Options.NewRounds,
        warm = result.Warm,
        @new = result.New,
        ratio = result.Ratio,
        target_met = result.Ratio >= Target,
    }, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });

    private static void AddRow(Table table, string cohort, int users, PhaseSummary phase) => table.AddRow(
        cohort, $"{users}", $"{phase.Rounds}", $"{phase.ServedExpected:F3}", $"{phase.Random:F3}", $"{phase.Oracle:F3}",
        phase.GapClosed is { } gap ? $"{gap:P0}" : "-");
}

/// <summary>Warm and new users over the same measured rounds; <see cref="Ratio"/> is new / warm gap closed.</summary>
public sealed record ColdStartResult(ColdStartOptions Options, string Policy, PhaseSummary Warm, PhaseSummary New, IReadOnlyList<RoundResult> NewRounds)
{
    public double? Ratio => Warm.GapClosed is > 1e-9 && New.GapClosed is { } fresh ? fresh / Warm.GapClosed : null;
}

public sealed record ColdStartOptions(
    string Population, int WarmUsers, int WarmRounds, int NewUsers, int NewRounds, int Candidates, int Seed,
    string? Policy, IReadOnlyList<KeyValuePair<string, string>> Sets, int Concurrency, TimeSpan Pause)
{
    public static readonly ColdStartOptions Defaults = new(PopulationKinds.SharedTaste, 200, 20, 200, 10, 10, 1, null, [], 32, TimeSpan.Zero);

    public PopulationSettings Settings => new(WarmUsers + NewUsers, WarmRounds + NewRounds, Candidates, Seed, Concurrency, Population, $"s{Seed}");

    public static ColdStartOptions? Parse(string[] args) => CommandLine.Parse(args, Defaults, (options, name, value) =>
    {
        var invariant = CultureInfo.InvariantCulture;
        return name switch
        {
            "--population" when PopulationKinds.Names.Contains(value) => options with { Population = value },
            "--warm-users" when int.TryParse(value, invariant, out var n) && n >= 1 => options with { WarmUsers = n },
            "--warm-rounds" when int.TryParse(value, invariant, out var w) && w >= 0 => options with { WarmRounds = w },
            "--new-users" when int.TryParse(value, invariant, out var m) && m >= 1 => options with { NewUsers = m },
            "--new-rounds" when int.TryParse(value, invariant, out var k) && k >= 1 => options with { NewRounds = k },
            "--pause" when double.TryParse(value, invariant, out var s) && s is >= 0 and <= 3600 => options with { Pause = TimeSpan.FromSeconds(s) },
            "--candidates" when int.TryParse(value, invariant, out var c) && c is >= 1 and <= 200 => options with { Candidates = c },
            "--seed" when int.TryParse(value, invariant, out var seed) => options with { Seed = seed },
            "--policy" when value.Length > 0 => options with { Policy = value },
            "--set" when ServiceOverrides.TryParse(value, out var pair) => options with { Sets = [.. options.Sets, pair] },
            "--concurrency" when int.TryParse(value, invariant, out var q) && q >= 1 => options with { Concurrency = q },
            _ => null,
        };
    });
}
