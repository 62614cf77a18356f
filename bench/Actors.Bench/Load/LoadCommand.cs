namespace Actors.Bench.Load;

/// <summary>The 'load' subcommand: parse, fetch candidates, warm, run, report.</summary>
public static class LoadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        LoadOptions? options = LoadOptions.Parse(args, out string? error);
        if (options is null)
        {
            if (error is null)
            {
                Console.Out.WriteLine(LoadOptions.Help);
                return 0;
            }
            Console.Error.WriteLine($"load: {error}");
            Console.Error.WriteLine("Run 'load --help' for the options.");
            return 2;
        }

        // Unique per run so every feedback event_id is new to the server, across runs too.
        string runId = "b" + Guid.NewGuid().ToString("N")[..12];
        using var runner = new LoadRunner(options);

        IReadOnlyList<string> tipIds = [];
        if (NeedsTips(options))
        {
            try
            {
                tipIds = await runner.FetchTipIdsAsync();
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException
                                          or InvalidOperationException or System.Text.Json.JsonException)
            {
                Console.Error.WriteLine($"load: cannot read candidate tips from {new Uri(options.BaseUrl, "tips")}: {LoadRunner.Describe(e)}");
                return 1;
            }
            if (tipIds.Count == 0)
            {
                Console.Error.WriteLine("load: GET /tips returned no tip ids; score and feedback need candidates");
                return 1;
            }
        }

        Report.PrintHeader(Console.Out, options, runId);

        var prepared = new HashSet<TargetPath>();
        var warmed = new HashSet<TargetPath>();
        var closed = new List<RunResult>();
        var open = new List<RunResult>();

        foreach (TargetPath path in options.Paths)
        {
            RequestFactory factory = Factory(path, options, tipIds, runId);
            if (options.Warm && warmed.Add(path.WarmWith()))
            {
                RequestFactory warmFactory = path.WarmWith() == path ? factory : Factory(path.WarmWith(), options, tipIds, runId);
                if (!await PreflightAsync(runner, warmFactory, prepared))
                {
                    return 1;
                }
                Progress($"{path.Name()}: warming {options.Users} users with {path.WarmWith().Name()} ...");
                (TimeSpan elapsed, long failures, string? problem) = await runner.WarmAsync(warmFactory);
                Progress($"{path.Name()}: warmed in {elapsed.TotalSeconds:F1}s" + (failures > 0 ? $", {failures} failed (first: {problem})" : ""));
            }
            if (!await PreflightAsync(runner, factory, prepared))
            {
                return 1;
            }

            double? rate = options.Compare ? null : options.Rate;
            Progress($"{path.Name()}: {(rate is null ? "closed loop" : $"open loop at {rate:F0} req/s")}, "
                + $"{options.Connections} connections, {options.Warmup.TotalSeconds:0.###}s warmup + {options.Duration.TotalSeconds:0.###}s ...");
            RunResult result = await runner.RunAsync(factory, rate);
            (rate is null ? closed : open).Add(result);
        }

        if (options.Compare && options.HalfRate)
        {
            foreach (RunResult max in closed)
            {
                double half = max.Throughput / 2;
                if (half <= 0)
                {
                    Progress($"{max.Path.Name()}: no measured throughput, skipping the half-rate run");
                    continue;
                }
                RequestFactory factory = Factory(max.Path, options, tipIds, runId);
                Progress($"{max.Path.Name()}: open loop at half its max, {half:F0} req/s ...");
                open.Add(await runner.RunAsync(factory, half));
            }
        }

        if (closed.Count > 0)
        {
            Report.PrintResults(Console.Out,
                options.Compare ? "closed loop (max throughput); ratio = req/s / first path's req/s" : "closed loop",
                closed, options.Compare ? closed[0].Throughput : null);
        }
        if (open.Count > 0)
        {
            Report.PrintResults(Console.Out,
                options.Compare
                    ? "open loop at half of each path's max rate; latency from intended send time"
                    : "open loop; latency from intended send time (coordinated omission corrected)",
                open, null);
        }
        var all = new List<RunResult>(closed);
        all.AddRange(open);
        Report.PrintClientCost(Console.Out, all);
        Report.PrintProblems(Console.Out, all);
        if (options.Json)
        {
            Console.Out.WriteLine(Report.ToJsonLine(options, runId, closed, open));
        }

        // Non-zero when any measured request failed, so a script never files a broken run as a benchmark.
        return all.TrueForAll(r => r.Clean && r.Requests > 0) ? 0 : 1;
    }

    private static bool NeedsTips(LoadOptions options)
    {
        foreach (TargetPath path in options.Paths)
        {
            if (path.NeedsTips() || (options.Warm && path.WarmWith().NeedsTips()))
            {
                return true;
            }
        }
        return false;
    }

    private static RequestFactory Factory(TargetPath path, LoadOptions options, IReadOnlyList<string> tipIds, string runId) =>
        new(path, options.BaseUrl, options.Users, options.RandomUsers, options.Seed, tipIds, options.Candidates, runId,
            options.EventsPerRequest(path), options.PerUser);

    private static async Task<bool> PreflightAsync(LoadRunner runner, RequestFactory factory, HashSet<TargetPath> prepared)
    {
        if (!prepared.Add(factory.Path))
        {
            return true;
        }
        string? problem = await runner.PreflightAsync(factory);
        if (problem is not null)
        {
            Console.Error.WriteLine($"load: preflight for {factory.Path.Name()} failed: {problem}");
            return false;
        }
        return true;
    }

    private static void Progress(string message) => Console.Error.WriteLine($"[load] {message}");
}
