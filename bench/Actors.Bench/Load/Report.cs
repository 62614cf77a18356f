using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Actors.Bench.Load;

/// <summary>Readable tables for people, one JSON line for scripts (docs/benchmarks.md is fed from it).</summary>
public static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void PrintHeader(TextWriter writer, LoadOptions options, string runId)
    {
        writer.WriteLine(
            $"load {options.BaseUrl}  connections={options.Connections}  duration={Seconds(options.Duration)}  warmup={Seconds(options.Warmup)}"
            + $"  users={options.Users} ({(options.RandomUsers ? "random" : "round-robin")})  candidates={options.Candidates}"
            + (options.Paths.Contains(TargetPath.Feedback) ? $"  batch={options.Batch}  per-user={options.PerUser}" : "")
            + $"  warm={(options.Warm ? "yes" : "no")}  run={runId}");
    }

    /// <param name="ratioBase">Throughput the ratio column divides by; null hides the column.</param>
    public static void PrintResults(TextWriter writer, string title, IReadOnlyList<RunResult> results, double? ratioBase)
    {
        writer.WriteLine();
        writer.WriteLine(title);
        var header = new StringBuilder();
        header.Append(Invariant, $"{"path",-16} {"mode",-6} {"conns",5} {"target/s",9} {"req/s",10}");
        // Feedback rows also show events/s (req/s x --batch); other paths carry one event per request.
        bool events = results.Any(r => r.Path == TargetPath.Feedback);
        if (events)
        {
            header.Append(Invariant, $" {"events/s",10}");
        }
        if (ratioBase is not null)
        {
            header.Append(Invariant, $" {"ratio",6}");
        }
        header.Append(Invariant, $" {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"p99.9 ms",8} {"max ms",8} {"non-2xx",8} {"errors",7}");
        if (results.Count > 0 && results[0].Mode == "open")
        {
            header.Append(Invariant, $" {"missed",7}");
        }
        writer.WriteLine(header);

        foreach (RunResult r in results)
        {
            var row = new StringBuilder();
            string target = r.TargetRate is double t ? t.ToString("F0", Invariant) : "-";
            row.Append(Invariant, $"{r.Path.Name(),-16} {r.Mode,-6} {r.Connections,5} {target,9} {r.Throughput,10:F1}");
            if (events)
            {
                string eventRate = r.Path == TargetPath.Feedback ? r.EventThroughput.ToString("F1", Invariant) : "-";
                row.Append(Invariant, $" {eventRate,10}");
            }
            if (ratioBase is double b)
            {
                string ratio = b > 0 ? (r.Throughput / b).ToString("F2", Invariant) : "-";
                row.Append(Invariant, $" {ratio,6}");
            }
            LatencySummary l = r.Latency;
            row.Append(Invariant, $" {Ms(l.P50),8} {Ms(l.P90),8} {Ms(l.P99),8} {Ms(l.P999),8} {Ms(l.Max),8} {r.NonSuccess,8} {r.Errors,7}");
            if (r.Mode == "open")
            {
                row.Append(Invariant, $" {r.Missed,7}");
            }
            writer.WriteLine(row);
        }
    }

    public static void PrintClientCost(TextWriter writer, IReadOnlyList<RunResult> results)
    {
        writer.WriteLine();
        writer.WriteLine("client cost during the measured window (this process, all threads)");
        writer.WriteLine($"{"path",-16} {"mode",-6} {"cpu us/req",10} {"cores",6} {"alloc B/req",11} {"gc0/1/2",10}");
        foreach (RunResult r in results)
        {
            ClientCost c = r.Client;
            string gcs = $"{c.Gen0}/{c.Gen1}/{c.Gen2}";
            writer.WriteLine(string.Create(Invariant,
                $"{r.Path.Name(),-16} {r.Mode,-6} {r.CpuMicrosPerRequest,10:F1} {c.Cores,6:F2} {r.AllocBytesPerRequest,11:F0} {gcs,10}"));
        }
    }

    public static void PrintProblems(TextWriter writer, IReadOnlyList<RunResult> results)
    {
        foreach (RunResult r in results)
        {
            if (!r.Clean || r.Missed > 0)
            {
                writer.WriteLine(string.Create(Invariant,
                    $"WARNING {r.Path.Name()} ({r.Mode}): {r.NonSuccess} non-2xx, {r.Errors} errors, {r.Missed} missed sends; first: {r.FirstProblem ?? "-"}"));
                if (r.Missed > 0)
                {
                    writer.WriteLine("  missed sends: the workers fell behind the schedule; raise --connections or lower --rate");
                }
            }
        }
    }

    /// <summary>One line of JSON, snake_case like the service's API; latencies in microseconds.</summary>
    public static string ToJsonLine(LoadOptions options, string runId, IReadOnlyList<RunResult> closed, IReadOnlyList<RunResult> open)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("tool", "actors-bench-load");
            json.WriteString("run_id", runId);
            json.WriteString("url", options.BaseUrl.ToString());
            json.WriteBoolean("compare", options.Compare);
            json.WriteNumber("connections", options.Connections);
            json.WriteNumber("users", options.Users);
            json.WriteBoolean("random_users", options.RandomUsers);
            json.WriteNumber("candidates", options.Candidates);
            json.WriteNumber("batch", options.Batch);
            json.WriteNumber("per_user", options.PerUser);
            json.WriteNumber("duration_s", options.Duration.TotalSeconds);
            json.WriteNumber("warmup_s", options.Warmup.TotalSeconds);
            json.WriteBoolean("warm", options.Warm);
            json.WriteNumber("processor_count", Environment.ProcessorCount);

            json.WriteStartArray("runs");
            double? baseThroughput = options.Compare && closed.Count > 0 ? closed[0].Throughput : null;
            foreach (RunResult r in closed)
            {
                WriteRun(json, r, baseThroughput);
            }
            foreach (RunResult r in open)
            {
                WriteRun(json, r, null);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteRun(Utf8JsonWriter json, RunResult r, double? baseThroughput)
    {
        json.WriteStartObject();
        json.WriteString("path", r.Path.Name());
        json.WriteString("mode", r.Mode);
        if (r.TargetRate is double target)
        {
            json.WriteNumber("target_rps", Math.Round(target, 1));
        }
        json.WriteNumber("connections", r.Connections);
        json.WriteNumber("elapsed_s", Math.Round(r.ElapsedSeconds, 3));
        json.WriteNumber("requests", r.Requests);
        json.WriteNumber("throughput_rps", Math.Round(r.Throughput, 1));
        if (r.Path == TargetPath.Feedback)
        {
            json.WriteNumber("events_per_request", r.EventsPerRequest);
            json.WriteNumber("throughput_eps", Math.Round(r.EventThroughput, 1));
        }
        if (baseThroughput is double b && b > 0)
        {
            json.WriteNumber("ratio_to_first", Math.Round(r.Throughput / b, 4));
        }
        json.WriteNumber("non_2xx", r.NonSuccess);
        json.WriteNumber("errors", r.Errors);
        json.WriteNumber("missed", r.Missed);
        json.WriteStartObject("latency_us");
        json.WriteNumber("p50", r.Latency.P50);
        json.WriteNumber("p90", r.Latency.P90);
        json.WriteNumber("p99", r.Latency.P99);
        json.WriteNumber("p99_9", r.Latency.P999);
        json.WriteNumber("max", r.Latency.Max);
        json.WriteNumber("mean", Math.Round(r.Latency.Mean, 1));
        json.WriteEndObject();
        json.WriteStartObject("client");
        json.WriteNumber("cpu_us_per_request", Math.Round(r.CpuMicrosPerRequest, 2));
        json.WriteNumber("cores", Math.Round(r.Client.Cores, 3));
        json.WriteNumber("alloc_bytes_per_request", Math.Round(r.AllocBytesPerRequest, 0));
        json.WriteNumber("gen0", r.Client.Gen0);
        json.WriteNumber("gen1", r.Client.Gen1);
        json.WriteNumber("gen2", r.Client.Gen2);
        json.WriteEndObject();
        if (r.FirstProblem is not null)
        {
            json.WriteString("first_problem", r.FirstProblem);
        }
        json.WriteEndObject();
    }

    private static string Ms(long micros) => (micros / 1000.0).ToString("F3", Invariant);

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", Invariant) + "s";
}
