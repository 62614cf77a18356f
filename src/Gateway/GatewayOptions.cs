using System.ComponentModel.DataAnnotations;

namespace Actors.Gateway;

/// <summary>Section "Gateway": limits of the HTTP API.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Largest request body accepted; larger ones get a 400 and nothing is read further.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;

    /// <summary>Most candidates one /score request may carry.</summary>
    [Range(1, 10_000)]
    public int MaxCandidates { get; set; } = 200;

    /// <summary>Most events one /feedback batch (a JSON array) may carry.</summary>
    [Range(1, 100_000)]
    public int MaxFeedbackBatch { get; set; } = 1000;

    /// <summary>How far in the future a feedback event's "at" may lie (clock skew allowance).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Maps /bench/ping and /bench/score-stateless, the yardsticks of docs/benchmarks.md. Off in production.</summary>
    public bool BenchEndpoints { get; set; }
}
