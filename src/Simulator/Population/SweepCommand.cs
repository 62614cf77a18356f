using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Actors.Simulator.Population;

/// <summary>
/// The policy sweep: every policy kind over a grid of its hyperparameters and of <c>Bandit:Lambda</c>,
/// each serving an in-process population alone (a fresh silo per run, <c>Bandit:Seed</c> = the run's seed),
/// on several populations and seeds; a markdown table of the gap closed per ten rounds, mean ± standard
/// deviation over the seeds.
/// </summary>
public static class SweepCommand
{
    /// <summary>The ad-hoc definition each run serves with, so the shipped definitions stay untouched.</summary>
    public const string PolicyName = "sweep";

    public const int Window = 10;

    public static string Usage => $$"""
        usage: dotnet run -c Release --project src/Simulator -- sweep [options]
          --populations P,Q  population kinds (default {{string.Join(",", SweepOptions.Defaults.Populations)}})
          --seeds K          seeds per configuration, 1..K (default {{SweepOptions.Defaults.Seeds}})
          --users N, --rounds R, --candidates C, --concurrency K   per run (defaults 200, 30, 10, 32)
          --lambdas L,M      Bandit:Lambda values (default 0.25,1)
          --kinds K,L        only these policy kinds (default all: {{string.Join(",", Grid(SweepOptions.Defaults).Select(c => c.Kind).Distinct())}})
          --set KEY=VALUE    a service setting for every run (repeatable), e.g. Bandit:Prior:Strength=0
          --jsonl FILE       append each run's result as one JSON line as it finishes
          --minutes M        start no run after M minutes; the table has the runs that finished (seeds run outermost)
        Prints one markdown table per population: gap closed in rounds 1-10, 11-20, 21-30 and over all rounds.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = SweepOptions.Parse(args);
        if (options is null) return 2;
        var grid = Grid(options);
        var total = grid.Count * options.Populations.Count * options.Seeds;
        Console.Error.WriteLine($"{total} runs: {grid.Count} configurations × {options.Populations.Count} populations × {options.Seeds} seeds, {options.Users} users × {options.Rounds} rounds each.");

        var results = new List<SweepRun>();
        var clock = Stopwatch.StartNew();
        // Seeds outermost: a sweep cut short by --minutes still covers every configuration with its first seeds.
        for (var seed = 1; seed <= options.Seeds; seed++)
        {
            foreach (var population in options.Populations)
            {
                foreach (var config in grid)
                {
                    if (options.Minutes is { } budget && clock.Elapsed.TotalMinutes >= budget)
                    {
                        Console.Error.WriteLine($"--minutes {budget} spent after {results.Count} of {total} runs; the table has those.");
                        Console.WriteLine(Markdown(results, options));
                        return 0;
                    }
                    var run = await RunOneAsync(options, population, config, seed);
                    results.Add(run);
                    if (options.Jsonl is { } jsonl) await File.AppendAllTextAsync(jsonl, ToJson(run) + Environment.NewLine);
                    var eta = clock.Elapsed / results.Count * (total - results.Count);
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[{results.Count}/{total}] {population} {config.Label} λ={config.Lambda} seed {seed}: all {run.All:P0}; {clock.Elapsed:hh\\:mm\\:ss} elapsed, ~{eta:hh\\:mm\\:ss} left"));
                }
            }
        }
        Console.WriteLine(Markdown(results, options));
        return 0;
    }

    public static async Task<SweepRun> RunOneAsync(SweepOptions options, string population, SweepConfig config, int seed)
    {
        // The log's durability is not under test here; NORMAL spares each run the fsyncs (a --set can say FULL).
        var overrides = ServiceOverrides.For(seed, PolicyName,
            config.Settings.Prepend(new("EventStore:Synchronous", "NORMAL")).Concat(options.Sets));
        var settings = new PopulationSettings(options.Users, options.Rounds, options.Candidates, seed, options.Concurrency, population, $"s{seed}");
        var clock = Stopwatch.StartNew();
        PopulationResult result;
        await using (var service = await InProcessTipService.StartAsync(overrides, options.Concurrency))
        {
            result = await PopulationSimulation.RunAsync(service, settings);
        }
        if (result.Policy != PolicyName) throw new InvalidOperationException($"The run served with {result.Policy}, not the sweep's definition.");
        var windows = result.Rounds.Chunk(Window).Select(w => PhaseSummary.Of(w).GapClosed ?? double.NaN).ToArray();
        return new SweepRun(population, config, seed, windows, result.AllRounds.GapClosed ?? double.NaN, clock.Elapsed);
    }

    /// <summary>Uniform once; every other configuration at each Bandit:Lambda.</summary>
    public static IReadOnlyList<SweepConfig> Grid(SweepOptions options)
    {
        var policies = new List<(string Kind, string Label, Dictionary<string, string> Settings)>();
        void Add(string kind, string label, params (string Key, object Value)[] hyper) =>
            policies.Add((kind, label, hyper.ToDictionary(h => h.Key, h => Convert.ToString(h.Value, CultureInfo.InvariantCulture)!)));

        foreach (var alpha in new[] { 0, 0.1, 0.25, 0.5, 1 }) Add("linucb", $"linucb α={alpha}", ("Alpha", alpha));
        foreach (var decay in new[] { false, true })
        {
            foreach (var epsilon in new[] { 0.02, 0.05, 0.1, 0.2 })
            {
                Add("epsilon-greedy", $"ε-greedy ε={epsilon}{(decay ? " decay" : "")}", ("Epsilon", epsilon), ("Decay", decay));
            }
        }
        foreach (var tau in new[] { 0.02, 0.05, 0.1, 0.2 }) Add("softmax", $"softmax τ={tau}", ("Temperature", tau));
        foreach (var scale in new[] { 0.1, 0.25, 0.5 }) Add("linear-thompson", $"linear-thompson v={scale}", ("Scale", scale));

        var grid = new List<SweepConfig>();
        if (options.Kinds is null || options.Kinds.Contains("uniform")) grid.Add(Config("uniform", "uniform", [], 1.0));
        foreach (var lambda in options.Lambdas)
        {
            grid.AddRange(policies.Where(p => options.Kinds is null || options.Kinds.Contains(p.Kind))
                .Select(p => Config(p.Kind, p.Label, p.Settings, lambda)));
        }
        return grid;
    }

    private static SweepConfig Config(string kind, string label, Dictionary<string, string> hyper, double lambda)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [$"Policies:Definitions:{PolicyName}:Kind"] = kind,
            ["Bandit:Lambda"] = lambda.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in hyper) settings[$"Policies:Definitions:{PolicyName}:{key}"] = value;
        return new SweepConfig(kind, label, lambda, settings);
    }

    /// <summary>One table per population, best over all rounds first; each cell the mean ± standard deviation over seeds.</summary>
    public static string Markdown(IReadOnlyList<SweepRun> runs, SweepOptions options)
    {
        var text = new StringBuilder();
        var windows = Enumerable.Range(0, (options.Rounds + Window - 1) / Window)
            .Select(w => $"rounds {w * Window + 1}–{Math.Min(options.Rounds, (w + 1) * Window)}").ToArray();
        foreach (var population in runs.GroupBy(r => r.Population))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"#### {population.Key} ({options.Users} users × {options.Rounds} rounds each run)");
            text.AppendLine();
            text.AppendLine($"| policy | λ | seeds | {string.Join(" | ", windows)} | all rounds |");
            text.AppendLine($"| --- | ---: | ---: |{string.Concat(windows.Select(_ => " ---: |"))} ---: |");
            var rows = population.GroupBy(r => (r.Config.Label, r.Config.Lambda))
                .OrderByDescending(g => g.Average(r => r.All));
            foreach (var row in rows)
            {
                var cells = Enumerable.Range(0, windows.Length).Select(w => Cell(row.Select(r => r.Windows[w]))).Append(Cell(row.Select(r => r.All)));
                text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Key.Label} | {row.Key.Lambda} | {row.Count()} | {string.Join(" | ", cells)} |");
            }
            text.AppendLine();
        }
        return text.ToString();
    }

    private static string Cell(IEnumerable<double> values)
    {
        var list = values.ToArray();
        var mean = list.Average();
        if (list.Length == 1) return string.Create(CultureInfo.InvariantCulture, $"{mean * 100:F0} %");
        var sd = Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Length - 1));
        return string.Create(CultureInfo.InvariantCulture, $"{mean * 100:F0} % ± {sd * 100:F0}");
    }

    private static string ToJson(SweepRun run) => JsonSerializer.Serialize(new
    {
        population = run.Population,
        policy = run.Config.Label,
        kind = run.Config.Kind,
        lambda = run.Config.Lambda,
        seed = run.Seed,
        windows = run.Windows,
        all = run.All,
        seconds = Math.Round(run.Elapsed.TotalSeconds, 1),
    });
}

/// <summary>One point of the grid: a policy kind and its hyperparameters, with the ridge's λ, as service settings.</summary>
public sealed record SweepConfig(string Kind, string Label, double Lambda, IReadOnlyDictionary<string, string> Settings);

/// <summary>One run's gap closed per window of <see cref="SweepCommand.Window"/> rounds and over all rounds.</summary>
public sealed record SweepRun(string Population, SweepConfig Config, int Seed, double[] Windows, double All, TimeSpan Elapsed);

public sealed record SweepOptions(
    IReadOnlyList<string> Populations, int Seeds, int Users, int Rounds, int Candidates, int Concurrency,
    IReadOnlyList<double> Lambdas, IReadOnlyList<string>? Kinds, IReadOnlyList<KeyValuePair<string, string>> Sets, string? Jsonl,
    double? Minutes = null)
{
    public static readonly SweepOptions Defaults = new(
        [PopulationKinds.CategoryHour, PopulationKinds.Category, PopulationKinds.TipQuality], 2, 200, 30, 10, 32, [0.25, 1.0], null, [], null);

    public static SweepOptions? Parse(string[] args) => CommandLine.Parse(args, Defaults, (options, name, value) =>
    {
        var invariant = CultureInfo.InvariantCulture;
        var list = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return name switch
        {
            "--populations" when list.Length > 0 && list.All(PopulationKinds.Names.Contains) => options with { Populations = list },
            "--seeds" when int.TryParse(value, invariant, out var k) && k >= 1 => options with { Seeds = k },
            "--users" when int.TryParse(value, invariant, out var n) && n >= 1 => options with { Users = n },
            "--rounds" when int.TryParse(value, invariant, out var r) && r >= 1 => options with { Rounds = r },
            "--candidates" when int.TryParse(value, invariant, out var c) && c is >= 1 and <= 200 => options with { Candidates = c },
            "--concurrency" when int.TryParse(value, invariant, out var q) && q >= 1 => options with { Concurrency = q },
            "--lambdas" when list.Length > 0 && list.All(l => double.TryParse(l, invariant, out var x) && x > 0) =>
                options with { Lambdas = list.Select(l => double.Parse(l, invariant)).ToArray() },
            "--kinds" when list.Length > 0 => options with { Kinds = list },
            "--set" when ServiceOverrides.TryParse(value, out var pair) => options with { Sets = [.. options.Sets, pair] },
            "--jsonl" => options with { Jsonl = value },
            "--minutes" when double.TryParse(value, invariant, out var m) && m > 0 => options with { Minutes = m },
            _ => null,
        };
    });
}
