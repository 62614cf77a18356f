using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using HdrHistogram;

namespace Actors.Bench.Load;

/// <summary>
/// Owns the one HttpClient and runs warm-up, preflight and measured runs against it. The measured
/// loop is written so a request costs the client little: no per-request cancellation sources or
/// timers, bodies written into per-worker buffers, responses drained into a per-worker buffer.
/// </summary>
public sealed class LoadRunner : IDisposable
{
    /// <summary>Latencies above this are recorded as this (and show up as the max).</summary>
    private const long HighestTrackableMicros = 60_000_000;

    private const int DrainBufferSize = 16 * 1024;

    private readonly HttpClient _client;
    private readonly LoadOptions _options;

    public LoadRunner(LoadOptions options)
    {
        _options = options;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            MaxConnectionsPerServer = options.Connections,
            ConnectTimeout = options.Timeout,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            // A redirect could point anywhere; the tool only talks to the loopback URL it was given.
            AllowAutoRedirect = false,
            // No trace-context headers: less work per request and nothing the server has to parse.
            ActivityHeadersPropagator = null,
        };
        // Infinite so HttpClient creates no linked CancellationTokenSource and timer per request;
        // runs are bounded by their deadline plus --timeout instead (see RunAsync).
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The tip ids of GET /tips's first page of 1,000 (its largest), in order: more than any run offers.</summary>
    public async Task<IReadOnlyList<string>> FetchTipIdsAsync()
    {
        using var cts = new CancellationTokenSource(_options.Timeout);
        using HttpResponseMessage response = await _client.GetAsync(new Uri(_options.BaseUrl, "tips?limit=1000"), cts.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET /tips returned {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        await using Stream body = await response.Content.ReadAsStreamAsync(cts.Token);
        using JsonDocument document = await JsonDocument.ParseAsync(body, default, cts.Token);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("tips", out JsonElement tips)
            || tips.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidOperationException("GET /tips did not return a page with a tips array");
        }
        var ids = new List<string>();
        foreach (JsonElement tip in tips.EnumerateArray())
        {
            if (tip.ValueKind == JsonValueKind.Object
                && tip.TryGetProperty("tip_id", out JsonElement id)
                && id.ValueKind == JsonValueKind.String
                && id.GetString() is { Length: > 0 } text)
            {
                ids.Add(text);
            }
        }
        return ids;
    }

    /// <summary>One request for user 0, so a wrong URL or a rejected body fails fast with the server's answer.</summary>
    public async Task<string?> PreflightAsync(RequestFactory factory)
    {
        byte[] buffer = new byte[factory.BodyBufferSize];
        using var cts = new CancellationTokenSource(_options.Timeout);
        try
        {
            using HttpRequestMessage request = factory.CreateForUser(0, buffer);
            using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cts.Token);
            if (response.IsSuccessStatusCode)
            {
                return null;
            }
            string body = await response.Content.ReadAsStringAsync(cts.Token);
            if (body.Length > 400)
            {
                body = body[..400] + "...";
            }
            return $"{request.Method} {request.RequestUri} returned {(int)response.StatusCode} {response.ReasonPhrase}: {body}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
        {
            return $"{factory.Uri} failed: {Describe(e)}";
        }
    }

    /// <summary>One request per user, <see cref="LoadOptions.Connections"/> at a time, each bounded by --timeout.</summary>
    public async Task<(TimeSpan Elapsed, long Failures, string? FirstProblem)> WarmAsync(RequestFactory factory)
    {
        long start = Stopwatch.GetTimestamp();
        int nextUser = -1;
        long failures = 0;
        string? firstProblem = null;

        async Task WarmWorkerAsync()
        {
            byte[] buffer = new byte[factory.BodyBufferSize];
            byte[] drain = new byte[DrainBufferSize];
            int user;
            while ((user = Interlocked.Increment(ref nextUser)) < _options.Users)
            {
                using var cts = new CancellationTokenSource(_options.Timeout);
                try
                {
                    using HttpRequestMessage request = factory.CreateForUser(user, buffer);
                    using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
                    Stream body = response.Content.ReadAsStream(cts.Token);
                    while (await body.ReadAsync(drain.AsMemory(), cts.Token) > 0)
                    {
                    }
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref failures);
                        Interlocked.CompareExchange(ref firstProblem, $"HTTP {(int)response.StatusCode}", null);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                {
                    Interlocked.Increment(ref failures);
                    Interlocked.CompareExchange(ref firstProblem, Describe(e), null);
                }
            }
        }

        var tasks = new Task[Math.Min(_options.Connections, _options.Users)];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = Task.Run(WarmWorkerAsync);
        }
        await Task.WhenAll(tasks);
        return (Stopwatch.GetElapsedTime(start), failures, firstProblem);
    }

    /// <summary>
    /// Warm-up then a measured window. <paramref name="rate"/> null: closed loop, each worker sends back to back.
    /// Otherwise open loop: a fixed schedule of <paramref name="rate"/> req/s spread over the workers, latency
    /// counted from each request's intended send time (coordinated-omission corrected, as wrk2 does).
    /// </summary>
    public async Task<RunResult> RunAsync(RequestFactory factory, double? rate)
    {
        int connections = _options.Connections;
        long frequency = Stopwatch.Frequency;
        long start = Stopwatch.GetTimestamp();
        long measureStart = start + (long)(_options.Warmup.TotalSeconds * frequency);
        long end = measureStart + (long)(_options.Duration.TotalSeconds * frequency);
        var plan = new RunPlan(factory, start, measureStart, end, rate is null ? 0 : frequency / rate.Value, connections);

        var workers = new Worker[connections];
        var tasks = new Task[connections];
        for (int i = 0; i < connections; i++)
        {
            var worker = new Worker(i, plan, _client, new LongHistogram(1, HighestTrackableMicros, 3), factory.BodyBufferSize, DrainBufferSize);
            workers[i] = worker;
            tasks[i] = Task.Run(worker.RunAsync);
        }

        TimeSpan untilMeasure = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), measureStart);
        if (untilMeasure > TimeSpan.Zero)
        {
            await Task.Delay(untilMeasure);
        }
        TimeSpan cpu0 = Environment.CpuUsage.TotalTime;
        long alloc0 = GC.GetTotalAllocatedBytes(precise: false);
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);

        // Hard stop: requests still in flight --timeout after the end are cancelled, then abandoned.
        Task all = Task.WhenAll(tasks);
        long abandoned = 0;
        try
        {
            TimeSpan untilEnd = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), end);
            await all.WaitAsync((untilEnd > TimeSpan.Zero ? untilEnd : TimeSpan.Zero) + _options.Timeout);
        }
        catch (TimeoutException)
        {
            _client.CancelPendingRequests();
            try
            {
                await all.WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (TimeoutException)
            {
                foreach (Task task in tasks)
                {
                    abandoned += task.IsCompleted ? 0 : 1;
                }
            }
        }
        plan.StopRecording = true;

        long finished = Stopwatch.GetTimestamp();
        var client = new ClientCost(
            (Environment.CpuUsage.TotalTime - cpu0).TotalSeconds,
            Stopwatch.GetElapsedTime(measureStart, finished).TotalSeconds,
            GC.GetTotalAllocatedBytes(precise: false) - alloc0,
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(1) - gen1,
            GC.CollectionCount(2) - gen2);

        var merged = new LongHistogram(1, HighestTrackableMicros, 3);
        long requests = 0, nonSuccess = 0, errors = abandoned, missed = 0, lastCompletion = measureStart;
        string? firstProblem = abandoned > 0 ? $"{abandoned} request(s) still in flight {_options.Timeout.TotalSeconds}s after the end" : null;
        foreach (Worker worker in workers)
        {
            merged.Add(worker.Histogram);
            requests += worker.Requests;
            nonSuccess += worker.NonSuccess;
            errors += worker.Errors;
            missed += worker.Missed;
            lastCompletion = Math.Max(lastCompletion, worker.LastCompletion);
            firstProblem ??= worker.FirstProblem;
        }

        // Closed loop: the window runs until the last request sent in it has come back. Open loop: the
        // achieved rate is what was sent per second of schedule.
        double elapsed = rate is null
            ? Stopwatch.GetElapsedTime(measureStart, Math.Max(lastCompletion, end)).TotalSeconds
            : _options.Duration.TotalSeconds;

        return new RunResult(factory.Path, rate is null ? "closed" : "open", rate, connections, elapsed,
            requests, nonSuccess, errors, missed, LatencySummary.From(merged), client, firstProblem, factory.EventsPerRequest);
    }

    internal static string Describe(Exception e)
    {
        var text = new StringBuilder(e.GetType().Name).Append(": ").Append(e.Message);
        for (Exception? inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            text.Append(" -> ").Append(inner.Message);
        }
        return text.ToString();
    }

    private sealed class RunPlan(RequestFactory factory, long start, long measureStart, long end, double ticksPerRequest, int workers)
    {
        public RequestFactory Factory { get; } = factory;
        public long Start { get; } = start;
        public long MeasureStart { get; } = measureStart;
        public long End { get; } = end;

        /// <summary>Open loop: Stopwatch ticks between consecutive sends over all workers; 0 for closed loop.</summary>
        public double TicksPerRequest { get; } = ticksPerRequest;

        public int Workers { get; } = workers;

        public volatile bool StopRecording;
    }

    private sealed class Worker(int index, RunPlan plan, HttpClient client, LongHistogram histogram, int bodyBufferSize, int drainBufferSize)
    {
        private static readonly long TicksPerMillisecond = Stopwatch.Frequency / 1000;

        private readonly byte[] _body = new byte[bodyBufferSize];
        private readonly byte[] _drain = new byte[drainBufferSize];

        public LongHistogram Histogram { get; } = histogram;
        public long Requests { get; private set; }
        public long NonSuccess { get; private set; }
        public long Errors { get; private set; }
        public long Missed { get; private set; }
        public long LastCompletion { get; private set; }
        public string? FirstProblem { get; private set; }

        public async Task RunAsync()
        {
            bool openLoop = plan.TicksPerRequest > 0;
            long frequency = Stopwatch.Frequency;
            long sent = 0;

            while (true)
            {
                long now = Stopwatch.GetTimestamp();
                long latencyStart = now;
                bool measured;

                if (openLoop)
                {
                    // This worker's k-th send is the (index + k * workers)-th of the global schedule.
                    long intended = plan.Start + (long)((index + (double)sent * plan.Workers) * plan.TicksPerRequest);
                    if (intended >= plan.End)
                    {
                        break;
                    }
                    long waitMs = (intended - now) / TicksPerMillisecond;
                    if (waitMs >= 2)
                    {
                        // Wake a little early rather than late: timers fire up to ~1 ms after their due time,
                        // and a late send would be charged to the server. Early sends are timed from when
                        // they really went out.
                        await Task.Delay((int)(waitMs - 1));
                        now = Stopwatch.GetTimestamp();
                    }
                    if (now >= plan.End)
                    {
                        CountMissedFrom(sent);
                        break;
                    }
                    latencyStart = Math.Min(intended, now);
                    measured = intended >= plan.MeasureStart;
                    sent++;
                }
                else
                {
                    if (now >= plan.End)
                    {
                        break;
                    }
                    measured = now >= plan.MeasureStart;
                }

                int status;
                try
                {
                    using HttpRequestMessage request = plan.Factory.Create(_body);
                    using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, CancellationToken.None);
                    Stream body = response.Content.ReadAsStream();
                    while (await body.ReadAsync(_drain.AsMemory()) > 0)
                    {
                    }
                    status = (int)response.StatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or ObjectDisposedException)
                {
                    if (measured && !plan.StopRecording)
                    {
                        Errors++;
                        FirstProblem ??= Describe(e);
                    }
                    continue;
                }

                long done = Stopwatch.GetTimestamp();
                if (!measured || plan.StopRecording)
                {
                    continue;
                }
                long micros = (done - latencyStart) * 1_000_000 / frequency;
                Histogram.RecordValue(Math.Min(micros, HighestTrackableMicros));
                Requests++;
                LastCompletion = done;
                if (status < 200 || status > 299)
                {
                    NonSuccess++;
                    FirstProblem ??= $"HTTP {status}";
                }
            }
        }

        /// <summary>Sends still due in the measured window when the run ended behind schedule.</summary>
        private void CountMissedFrom(long sent)
        {
            for (long k = sent; ; k++)
            {
                long intended = plan.Start + (long)((index + (double)k * plan.Workers) * plan.TicksPerRequest);
                if (intended >= plan.End)
                {
                    return;
                }
                if (intended >= plan.MeasureStart)
                {
                    Missed++;
                }
            }
        }
    }
}
