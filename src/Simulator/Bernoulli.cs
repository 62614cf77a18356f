using System.Globalization;
using System.Text.Json;
using Actors.Learning.Arms;
using Spectre.Console;

namespace Actors.Simulator;

/// <summary>The setting of Chapelle and Li, "An Empirical Evaluation of Thompson Sampling" (2011).</summary>
public static class Bernoulli
{
    public const string Usage = """
        usage: dotnet run -c Release --project src/Simulator -- bernoulli [options]
          --arms K        number of arms (default 10)
          --gap EPS       the best arm pays 0.5, the others 0.5 - EPS (default 0.1)
          --horizon T     rounds per run (default 100000)
          --seeds N       independent runs (default 20)
          --policy P      thompson | ucb1 | epsilon-greedy | epsilon-greedy-decay (default thompson)
          --epsilon E     ε for the epsilon-greedy policies (default 0.1; the decaying one uses min(1, E·K/t))
          --csv FILE      write the mean regret curve and the Lai-Robbins curve as CSV
          --png FILE      plot the same two curves as a PNG
        The last line of the output is the result as JSON.
        """;

    public static int Run(string[] args)
    {
        var options = Options.Parse(args);
        if (options is null) return 2;

        var means = new double[options.Arms];
        means[0] = 0.5;
        for (var i = 1; i < means.Length; i++) means[i] = 0.5 - options.Gap;
        var checkpoints = Checkpoints(options.Horizon);
        var curves = new double[options.Seeds][];

        AnsiConsole.Progress().AutoClear(true).Start(progress =>
        {
            var task = progress.AddTask($"{options.Policy}: {options.Seeds} runs of {options.Horizon:N0} rounds", maxValue: options.Seeds);
            Parallel.For(0, options.Seeds, seed =>
            {
                curves[seed] = BernoulliBandit.Run(Create(options, options.Arms), means, options.Horizon, new Random(seed), checkpoints);
                task.Increment(1);
            });
        });

        var final = curves.Select(c => c[^1]).ToArray();
        var mean = final.Average();
        var sd = Math.Sqrt(final.Sum(r => (r - mean) * (r - mean)) / Math.Max(1, final.Length - 1));
        var half = 1.959964 * sd / Math.Sqrt(final.Length);
        var bound = BernoulliBandit.LaiRobbins(means, options.Horizon);
        var meanCurve = checkpoints.Select((_, i) => curves.Average(c => c[i])).ToArray();
        var laiRobbinsCurve = checkpoints.Select(t => BernoulliBandit.LaiRobbins(means, t)).ToArray();

        if (options.Csv is { } csv)
        {
            using var writer = new StreamWriter(csv);
            writer.WriteLine("round,mean_regret,lai_robbins");
            for (var i = 0; i < checkpoints.Length; i++)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{checkpoints[i]},{meanCurve[i]:F3},{laiRobbinsCurve[i]:F3}"));
            }
        }
        if (options.Png is { } png)
        {
            Plots.Regret(png, $"{options.Policy}: {options.Arms} arms, gap {options.Gap}, mean of {options.Seeds} runs",
                checkpoints, meanCurve, laiRobbinsCurve);
        }

        var table = new Table().AddColumns("policy", "arms", "gap", "horizon", "seeds", "mean regret", "95% CI", "Lai-Robbins", "ratio");
        table.AddRow(options.Policy, $"{options.Arms}", $"{options.Gap}", $"{options.Horizon:N0}", $"{options.Seeds}",
            $"{mean:F1}", Markup.Escape($"[{mean - half:F1}, {mean + half:F1}]"), $"{bound:F1}", $"{mean / bound:F3}");
        AnsiConsole.Write(table);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            policy = options.Policy,
            arms = options.Arms,
            gap = options.Gap,
            horizon = options.Horizon,
            seeds = options.Seeds,
            mean_regret = mean,
            ci_low = mean - half,
            ci_high = mean + half,
            lai_robbins = bound,
            ratio = mean / bound,
        }));
        return 0;
    }

    private static IArmPolicy Create(Options options, int arms) => options.Policy switch
    {
        "thompson" => new BetaBernoulliThompson(arms),
        "ucb1" => new Ucb1(arms),
        "epsilon-greedy" => new EpsilonGreedy(arms, options.Epsilon),
        "epsilon-greedy-decay" => new EpsilonGreedy(arms, options.Epsilon, decay: true),
        _ => throw new InvalidOperationException($"Unknown policy {options.Policy}."),
    };

    /// <summary>About 100 rounds spread geometrically up to the horizon, for the curve.</summary>
    private static long[] Checkpoints(long horizon) => Enumerable.Range(0, 101)
        .Select(i => (long)Math.Round(Math.Pow(horizon, i / 100.0)))
        .Append(horizon).Distinct().Order().ToArray();

    private sealed record Options(int Arms, double Gap, long Horizon, int Seeds, string Policy, double Epsilon, string? Csv, string? Png)
    {
        private static readonly string[] Policies = ["thompson", "ucb1", "epsilon-greedy", "epsilon-greedy-decay"];

        public static Options? Parse(string[] args) => CommandLine.Parse(args, new Options(10, 0.1, 100_000, 20, "thompson", 0.1, null, null),
            (options, name, value) =>
            {
                var invariant = CultureInfo.InvariantCulture;
                return name switch
                {
                    "--arms" when int.TryParse(value, invariant, out var k) && k >= 2 => options with { Arms = k },
                    "--gap" when double.TryParse(value, invariant, out var g) && g is > 0 and <= 0.5 => options with { Gap = g },
                    "--horizon" when long.TryParse(value, invariant, out var t) && t >= 1 => options with { Horizon = t },
                    "--seeds" when int.TryParse(value, invariant, out var n) && n >= 1 => options with { Seeds = n },
                    "--policy" when Policies.Contains(value) => options with { Policy = value },
                    "--epsilon" when double.TryParse(value, invariant, out var e) && e >= 0 => options with { Epsilon = e },
                    "--csv" => options with { Csv = value },
                    "--png" => options with { Png = value },
                    _ => null,
                };
            });
    }
}
