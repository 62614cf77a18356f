using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Actors.Bench.Load;

public sealed record LoadOptions
{
    public const int MaxConnections = 1024;

    /// <summary>The service's default Gateway:MaxFeedbackBatch.</summary>
    public const int MaxBatch = 1000;
    private static readonly TimeSpan MaxDuration = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxWarmup = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(1);

    public Uri BaseUrl { get; init; } = new("http://127.0.0.1:5000/");
    public IReadOnlyList<TargetPath> Paths { get; init; } = [TargetPath.Score];
    public bool Compare { get; init; }
    public int Users { get; init; } = 1000;
    public bool RandomUsers { get; init; }
    public int Seed { get; init; } = 1;
    public int Candidates { get; init; } = 50;

    /// <summary>Feedback events per POST /feedback; 1 sends the single-object body, more a JSON array.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Consecutive events of a feedback batch that share a user (an app flushing its own buffer).</summary>
    public int PerUser { get; init; } = 1;
    public int Connections { get; init; } = 64;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    public double? Rate { get; init; }
    public bool HalfRate { get; init; }
    public bool Warm { get; init; }
    public bool Json { get; init; }

    public const string Help = """
        usage: load [options]

        Drives the service's HTTP API on loopback and reports throughput and latency
        percentiles (HdrHistogram, microsecond resolution). Every run stops by itself.

        target
          --url URL            base URL of the service (default http://127.0.0.1:5000);
                               only loopback hosts (127.0.0.0/8, ::1, localhost) are accepted
          --path NAME          score | feedback | ping | score-stateless (default score)
                                 score            POST /score
                                 feedback         POST /feedback, fresh event_id per event
                                 ping             GET  /bench/ping?user_id=...
                                 score-stateless  POST /bench/score-stateless
          --users N            distinct users bench-u-0 .. bench-u-(N-1) (default 1000)
          --random-users       pick users at random (seeded) instead of round-robin
          --seed N             seed for --random-users and feedback tip/kind choice (default 1)
          --candidates N       candidate tip ids per score request, taken from GET /tips,
                               cycled if fewer (default 50)
          --batch N            feedback only: N events per request as a JSON array, users
                               round-robin (or random) across the batch; reports events/s
                               = req/s x N as well. 1 sends the single-object body
                               (default 1, max 1000)
          --per-user K         feedback batches only: K consecutive events of a batch share
                               a user, as when each app flushes its own user's buffer
                               (default 1: every event of a batch has the next user)

        load shape
          -c, --connections C  concurrent workers and HTTP connections (default 64, max 1024)
          -d, --duration T     measured time, e.g. 10s, 500ms, 2m (default 10s, max 1h)
          --warmup T           unmeasured load before measuring (default 3s)
          --rate R             open loop: send R req/s (requests, not events) on a fixed
                               schedule spread over the C workers; latency counts from
                               the intended send time, so coordinated omission is
                               corrected. Default: closed loop (each worker sends back
                               to back).
          --warm               before measuring, send one request per user (/score, or
                               /bench/ping for ping) so the users' grains are active
          --timeout T          grace for requests in flight at the end, and per-request
                               limit while warming (default 10s)

        compare
          --compare P1,P2,...  closed-loop run of each path in turn, same settings; prints
                               req/s and the ratio of each to the first
          --half-rate          with --compare: then run each path open loop at half its
                               measured max rate and print its percentiles there

        output
          --json               also print one JSON line with all results, last on stdout
          -h, --help           this text

        examples
          load --path ping -c 64 -d 10s
          load --path score --users 1000 --warm --rate 2000 -d 30s
          load --path feedback --batch 100 --users 1000 -c 16 -d 10s
          load --compare ping,score,score-stateless --warm --half-rate --json
        """;

    /// <summary>Parses the arguments of 'load'. Returns null with <paramref name="error"/> set on bad input,
    /// and null with no error when help was asked for.</summary>
    public static LoadOptions? Parse(string[] args, out string? error)
    {
        error = null;
        var options = new LoadOptions();
        string url = "http://127.0.0.1:5000";
        string? path = null;
        string? compare = null;

        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string name = arg;
            string? inlineValue = null;
            int equals = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                inlineValue = arg[(equals + 1)..];
            }

            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }
                if (i + 1 >= args.Length)
                {
                    throw new FormatException($"{name} needs a value");
                }
                return args[++i];
            }

            try
            {
                switch (name)
                {
                    case "-h" or "--help": return null;
                    case "--url": url = Value(); break;
                    case "--path": path = Value(); break;
                    case "--users": options = options with { Users = ParseInt(name, Value(), 1, 10_000_000) }; break;
                    case "--random-users": options = options with { RandomUsers = true }; break;
                    case "--seed": options = options with { Seed = ParseInt(name, Value(), int.MinValue, int.MaxValue) }; break;
                    case "--candidates": options = options with { Candidates = ParseInt(name, Value(), 1, 10_000) }; break;
                    case "--batch": options = options with { Batch = ParseInt(name, Value(), 1, MaxBatch) }; break;
                    case "--per-user": options = options with { PerUser = ParseInt(name, Value(), 1, MaxBatch) }; break;
                    case "-c" or "--connections": options = options with { Connections = ParseInt(name, Value(), 1, MaxConnections) }; break;
                    case "-d" or "--duration": options = options with { Duration = ParseDuration(name, Value(), TimeSpan.FromMilliseconds(100), MaxDuration) }; break;
                    case "--warmup": options = options with { Warmup = ParseDuration(name, Value(), TimeSpan.Zero, MaxWarmup) }; break;
                    case "--timeout": options = options with { Timeout = ParseDuration(name, Value(), TimeSpan.FromMilliseconds(100), MaxTimeout) }; break;
                    case "--rate": options = options with { Rate = ParseRate(name, Value()) }; break;
                    case "--warm": options = options with { Warm = true }; break;
                    case "--compare": compare = Value(); break;
                    case "--half-rate": options = options with { HalfRate = true }; break;
                    case "--json": options = options with { Json = true }; break;
                    default: throw new FormatException($"unknown option '{arg}'");
                }
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }

        if (!TryParseLoopbackUrl(url, out Uri? baseUrl, out error))
        {
            return null;
        }
        options = options with { BaseUrl = baseUrl };

        if (compare is not null)
        {
            if (path is not null)
            {
                error = "--compare and --path are exclusive: --compare lists the paths";
                return null;
            }
            if (options.Rate is not null)
            {
                error = "--rate cannot be combined with --compare (compare runs closed loop; see --half-rate)";
                return null;
            }
            var paths = new List<TargetPath>();
            foreach (string part in compare.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!TargetPaths.TryParse(part, out TargetPath p))
                {
                    error = $"--compare: unknown path '{part}' (expected {TargetPaths.Names})";
                    return null;
                }
                paths.Add(p);
            }
            if (paths.Count == 0)
            {
                error = "--compare needs at least one path";
                return null;
            }
            return CheckBatch(options with { Compare = true, Paths = paths }, out error);
        }

        if (options.HalfRate)
        {
            error = "--half-rate only applies to --compare";
            return null;
        }
        if (path is not null)
        {
            if (!TargetPaths.TryParse(path, out TargetPath single))
            {
                error = $"--path: unknown path '{path}' (expected {TargetPaths.Names})";
                return null;
            }
            options = options with { Paths = [single] };
        }
        return CheckBatch(options, out error);
    }

    private static LoadOptions? CheckBatch(LoadOptions options, out string? error)
    {
        error = options.Batch > 1 && !options.Paths.Contains(TargetPath.Feedback)
            ? "--batch only applies to the feedback path"
            : null;
        return error is null ? options : null;
    }

    /// <summary>Events per request on <paramref name="path"/>: --batch for feedback, 1 for the others.</summary>
    public int EventsPerRequest(TargetPath path) => path == TargetPath.Feedback ? Batch : 1;

    /// <summary>
    /// This machine must never send load anywhere but itself: accept IP literals on loopback and
    /// 'localhost' only when every address it resolves to is loopback.
    /// </summary>
    public static bool TryParseLoopbackUrl(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? url, out string? error)
    {
        url = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? parsed)
            || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
        {
            error = $"--url: '{text}' is not an absolute http(s) URL";
            return false;
        }
        if (parsed.Query.Length > 0 || parsed.Fragment.Length > 0 || parsed.UserInfo.Length > 0)
        {
            error = $"--url: '{text}' must be a base URL without user info, query or fragment";
            return false;
        }

        bool loopback;
        if (IPAddress.TryParse(parsed.DnsSafeHost, out IPAddress? address))
        {
            loopback = IPAddress.IsLoopback(address);
        }
        else if (string.Equals(parsed.DnsSafeHost, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            IPAddress[] addresses;
            try
            {
                addresses = Dns.GetHostAddresses(parsed.DnsSafeHost);
            }
            catch (SocketException)
            {
                addresses = [];
            }
            loopback = addresses.Length > 0 && Array.TrueForAll(addresses, IPAddress.IsLoopback);
        }
        else
        {
            loopback = false;
        }

        if (!loopback)
        {
            error = $"--url: refusing host '{parsed.Host}': this tool only sends load to loopback (127.0.0.1, ::1, localhost)";
            return false;
        }

        // A trailing slash makes relative routes append to the base path instead of replacing its last segment.
        string baseText = parsed.GetLeftPart(UriPartial.Path);
        url = new Uri(baseText.EndsWith('/') ? baseText : baseText + "/");
        error = null;
        return true;
    }

    public static TimeSpan ParseDuration(string name, string text, TimeSpan min, TimeSpan max)
    {
        string t = text.Trim().ToLowerInvariant();
        double factorMs;
        string number;
        if (t.EndsWith("ms", StringComparison.Ordinal)) { factorMs = 1; number = t[..^2]; }
        else if (t.EndsWith('s')) { factorMs = 1000; number = t[..^1]; }
        else if (t.EndsWith('m')) { factorMs = 60_000; number = t[..^1]; }
        else if (t.EndsWith('h')) { factorMs = 3_600_000; number = t[..^1]; }
        else { factorMs = 1000; number = t; }

        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new FormatException($"{name}: '{text}' is not a duration (e.g. 10s, 500ms, 2m)");
        }
        TimeSpan result = TimeSpan.FromMilliseconds(value * factorMs);
        if (result < min || result > max)
        {
            throw new FormatException($"{name}: {text} is outside [{min.TotalSeconds}s, {max.TotalSeconds}s]");
        }
        return result;
    }

    private static int ParseInt(string name, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new FormatException($"{name}: '{text}' is not an integer in [{min}, {max}]");
        }
        return value;
    }

    private static double ParseRate(string name, string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || !(value > 0) || value > 1_000_000)
        {
            throw new FormatException($"{name}: '{text}' is not a rate in (0, 1000000] req/s");
        }
        return value;
    }
}
