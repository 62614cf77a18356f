using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Actors.Generation;

/// <summary>
/// Counts the model's answers that <see cref="TipGuard"/> rejected, by prompt version and reason: as the
/// counter <c>actors.generation.rejected_tips</c> of the meter <c>Actors.Generation</c> (tags
/// <c>prompt_version</c>, <c>reason</c>) for a metrics pipeline, and in memory since this process
/// started, for GET /admin/analytics/generation.
/// </summary>
public sealed class GenerationMetrics
{
    public const string MeterName = "Actors.Generation";
    public const string RejectedTipsInstrument = "actors.generation.rejected_tips";

    private readonly Counter<long> _rejected;
    private readonly ConcurrentDictionary<(string Version, string Reason), long> _counts = new();

    public GenerationMetrics(IMeterFactory meters, TimeProvider time)
    {
        _rejected = meters.Create(MeterName).CreateCounter<long>(
            RejectedTipsInstrument, unit: "{answer}", description: "Model answers rejected as tips (the offline generator wrote instead), by reason.");
        Since = time.GetUtcNow();
    }

    /// <summary>When counting began: the in-memory counts cover this process since then.</summary>
    public DateTimeOffset Since { get; }

    public void Rejected(string promptVersion, string reason)
    {
        _counts.AddOrUpdate((promptVersion, reason), 1, (_, n) => n + 1);
        _rejected.Add(1, new KeyValuePair<string, object?>("prompt_version", promptVersion), new KeyValuePair<string, object?>("reason", reason));
    }

    /// <summary>Every reason of <see cref="TipRejection.All"/> for this version, zero when it never happened.</summary>
    public IReadOnlyDictionary<string, long> RejectionsOf(string promptVersion) =>
        TipRejection.All.ToDictionary(reason => reason, reason => _counts.GetValueOrDefault((promptVersion, reason)), StringComparer.Ordinal);
}
