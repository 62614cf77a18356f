namespace Actors.Abstractions;

/// <summary>
/// What one user's erasure removed: rows per table and grain states per grain (<see cref="Removed"/>), and how
/// many of the user's decision request ids joined the tombstone that refuses feedback naming them.
/// </summary>
[GenerateSerializer, Immutable, Alias("actors.ErasureReport")]
public sealed record ErasureReport(
    [property: Id(0)] Dictionary<string, long> Removed,
    [property: Id(1)] long TombstonedRequestIds)
{
    public static ErasureReport Combine(ErasureReport first, ErasureReport second)
    {
        var removed = new Dictionary<string, long>(first.Removed, StringComparer.Ordinal);
        foreach (var (name, count) in second.Removed) removed[name] = removed.GetValueOrDefault(name) + count;
        return new ErasureReport(removed, first.TombstonedRequestIds + second.TombstonedRequestIds);
    }
}

/// <summary>
/// A user's bandit as its export shows it: the ridge model by feature name (weights θ and how many rewards it
/// learned), how far into the user's log it has learned, the per-tip records and the experiment assignments.
/// </summary>
[GenerateSerializer, Immutable, Alias("actors.BanditExport")]
public sealed record BanditExport(
    [property: Id(0)] string[] FeatureNames,
    [property: Id(1)] Dictionary<string, double> Weights,
    [property: Id(2)] long Updates,
    [property: Id(3)] long RewardsThroughSeq,
    [property: Id(4)] TipRecordExport[] Tips);

/// <summary>One tip's record in the non-contextual model: rewarded decisions that served it and their reward sum.</summary>
[GenerateSerializer, Immutable, Alias("actors.TipRecordExport")]
public sealed record TipRecordExport(
    [property: Id(0)] string TipId,
    [property: Id(1)] long RewardedDecisions,
    [property: Id(2)] double RewardSum);
