using System.Globalization;

namespace Actors.Simulator.Population;

/// <summary>The bias command: offline estimate against deployed value for each policy, as a markdown table.</summary>
public static class BiasCommand
{
    public static string Usage => """
        usage: dotnet run -c Release --project src/Simulator -- bias [options]
          --users N        simulated users (default 300)
          --rounds R       rounds logged under uniform-v1; each user asks once per round (default 40)
          --candidates C   catalog tips offered per request (default 5); the replay accepts about 1 in C
          --seed S         seed of the users, candidates, reactions and the service's draws (default 1)
          --resamples B    bootstrap resamples per interval (default 500)
          --policies LIST  comma-separated policy names (default: every one in Policies:Definitions)
        Logs the population simulator's users under uniform-v1, estimates each policy on that log as
        GET /admin/evaluation does, deploys it on the same users for as many rounds as the replay accepted
        per user, and prints the markdown table of docs/benchmarks.md (progress goes to stderr).
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = BiasOptions.Parse(args);
        if (options is null) return 2;
        var service = ServiceModel.Load();
        var names = options.Policies ?? service.Policies.Definitions.Keys.ToArray();
        if (names.FirstOrDefault(n => !service.Policies.Definitions.ContainsKey(n)) is { } unknown)
        {
            Console.Error.WriteLine($"--policies: '{unknown}' is not in Policies:Definitions ({string.Join(", ", service.Policies.Definitions.Keys)}).");
            return 2;
        }

        var settings = options.Settings;
        Console.Error.WriteLine($"Logging {settings.Users} users × {settings.Rounds} rounds under {EvaluationBias.LoggingPolicy}…");
        var log = await EvaluationBias.LogAsync(service, settings);
        var results = new List<PolicyBias>();
        foreach (var name in names)
        {
            Console.Error.WriteLine($"Estimating and deploying {name}…");
            results.Add(await EvaluationBias.MeasureAsync(service, service.Policy(name), log, settings));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{log.Count} logged decisions ({settings.Users} users × {settings.Rounds} rounds, {settings.Candidates} candidates per request, seed {settings.Seed})."));
        Console.WriteLine();
        Console.Write(EvaluationBias.MarkdownTable(results));
        return 0;
    }
}

public sealed record BiasOptions(int Users, int Rounds, int Candidates, int Seed, int Resamples, string[]? Policies)
{
    public BiasSettings Settings => new(Users, Rounds, Candidates, Seed, Resamples);

    public static BiasOptions? Parse(string[] args) =>
        CommandLine.Parse(args, new BiasOptions(300, 40, 5, 1, 500, null), (options, name, value) =>
        {
            var invariant = CultureInfo.InvariantCulture;
            return name switch
            {
                "--users" when int.TryParse(value, invariant, out var n) && n >= 1 => options with { Users = n },
                "--rounds" when int.TryParse(value, invariant, out var r) && r >= 1 => options with { Rounds = r },
                "--candidates" when int.TryParse(value, invariant, out var c) && c is >= 1 and <= 200 => options with { Candidates = c },
                "--seed" when int.TryParse(value, invariant, out var s) => options with { Seed = s },
                "--resamples" when int.TryParse(value, invariant, out var b) && b >= 2 => options with { Resamples = b },
                "--policies" when value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } list
                    => options with { Policies = list },
                _ => null,
            };
        });
}
