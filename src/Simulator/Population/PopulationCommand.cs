using System.Globalization;
using Spectre.Console;

namespace Actors.Simulator.Population;

/// <summary>The population command: options, the service to drive, a progress bar, and the reports.</summary>
public static class PopulationCommand
{
    public static string Usage => $$"""
        usage: dotnet run -c Release --project src/Simulator -- population [options]
          --users N        simulated users (default 200)
          --rounds R       rounds; each user asks once per round (default 30)
          --candidates C   catalog tips offered per request, drawn uniformly (default 10)
          --seed S         seed of the users' preferences, candidates and reactions (default 1)
          --policy NAME    in-process only: the policy that serves (passed to the service as Policies:Live=NAME)
          --population P   the hidden truth: {{string.Join(", ", PopulationKinds.Names)}} (default {{PopulationKinds.Default}})
          --set KEY=VALUE  in-process only, repeatable: a service setting, e.g. Bandit:Lambda=0.25 or
                           Policies:Definitions:x:Alpha=0.2 (with --policy x); Bandit:Seed is --seed unless set
          --http URL       drive a running service through its HTTP API instead of the grains in this process
          --concurrency K  requests in flight at once (default 32)
          --csv FILE       write the per-round curves as CSV
          --png FILE       plot served (expected), random and oracle reward per round as a PNG
        With the default population, each user has a hidden preferred category and hour. The chance of completing a tip (else it is
        dismissed) is {{PreferenceModel.BaseRate}} + {{PreferenceModel.CategoryLift}} if the tip is of the preferred category,
        + {{PreferenceModel.HourLift}} × (1 + cos(2π·Δh/24))/2 for the hour's distance Δh from the preferred hour.
        Round r is at hour r mod 24 (UTC) of a simulated clock set in the past. Per round: the served tips' realised and expected reward,
        the random policy's (mean over the candidates) and the oracle's (best candidate).
        The last line of the output is the result as JSON.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = PopulationOptions.Parse(args);
        if (options is null) return 2;

        await using ITipService service = options.Http is { } url
            ? new HttpTipService(url, options.Concurrency)
            : await StartInProcessAsync(options);

        var settings = options.Settings;
        PopulationResult result = null!;
        await AnsiConsole.Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask($"{service.Mode}: {settings.Users} users × {settings.Rounds} rounds", maxValue: settings.Users * (double)settings.Rounds);
            result = await PopulationSimulation.RunAsync(service, settings, () => task.Increment(1));
        });

        if (options.Csv is { } csv) PopulationReport.WriteCsv(result, csv);
        if (options.Png is { } png)
        {
            Plots.Population(png, $"{result.Policy} ({result.Mode}): {settings.Users} users, {settings.Candidates} candidates per request", result.Rounds);
        }
        if (options.Policy is { } requested && result.Policy != requested)
        {
            Console.Error.WriteLine($"--policy {requested} was asked for, but the service served with {result.Policy}: Policies:Live={requested} did not take effect.");
        }

        AnsiConsole.Write(PopulationReport.RoundsTable(result));
        AnsiConsole.Write(PopulationReport.SummaryTable(result));
        Console.WriteLine(PopulationReport.ToJson(result, options.Policy));
        return 0;
    }

    private static async Task<ITipService> StartInProcessAsync(PopulationOptions options)
    {
        Console.Error.WriteLine("Starting the service in this process…");
        return await InProcessTipService.StartAsync(ServiceOverrides.For(options.Seed, options.Policy, options.Sets), options.Concurrency);
    }
}

public sealed record PopulationOptions(
    int Users, int Rounds, int Candidates, int Seed, string? Policy, Uri? Http, int Concurrency, string? Csv, string? Png,
    string Population = PopulationKinds.Default, IReadOnlyList<KeyValuePair<string, string>>? SetPairs = null)
{
    /// <summary>In process the service is fresh, so the ids can be fixed and the run reproduced from its seed.</summary>
    public PopulationSettings Settings => new(Users, Rounds, Candidates, Seed, Concurrency, Population, Http is null ? $"s{Seed}" : null);

    public IReadOnlyList<KeyValuePair<string, string>> Sets => SetPairs ?? [];

    public static PopulationOptions? Parse(string[] args)
    {
        var options = CommandLine.Parse(args, new PopulationOptions(200, 30, 10, 1, null, null, 32, null, null), (options, name, value) =>
        {
            var invariant = CultureInfo.InvariantCulture;
            return name switch
            {
                "--users" when int.TryParse(value, invariant, out var n) && n >= 1 => options with { Users = n },
                "--rounds" when int.TryParse(value, invariant, out var r) && r >= 1 => options with { Rounds = r },
                "--candidates" when int.TryParse(value, invariant, out var c) && c is >= 1 and <= 200 => options with { Candidates = c },
                "--seed" when int.TryParse(value, invariant, out var s) => options with { Seed = s },
                "--policy" when value.Length > 0 => options with { Policy = value },
                "--http" when Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" => options with { Http = url },
                "--concurrency" when int.TryParse(value, invariant, out var k) && k >= 1 => options with { Concurrency = k },
                "--csv" => options with { Csv = value },
                "--png" => options with { Png = value },
                "--population" when PopulationKinds.Names.Contains(value) => options with { Population = value },
                "--set" when ServiceOverrides.TryParse(value, out var pair) => options with { SetPairs = [.. options.Sets, pair] },
                _ => null,
            };
        });
        if (options is { Policy: not null, Http: not null })
        {
            // A running service serves the policy it was configured with; the simulator cannot choose it.
            Console.Error.WriteLine("--policy applies to the in-process service only; configure Policies:Live on the service instead.");
            return null;
        }
        if (options is { SetPairs.Count: > 0, Http: not null })
        {
            Console.Error.WriteLine("--set applies to the in-process service only; configure the running service instead.");
            return null;
        }
        return options;
    }
}
