using Actors.Learning.Bandits;

namespace Actors.Abstractions;

/// <summary>
/// A tip offered to the bandit: a catalog tip, or one the caller describes inline. Immutable, so Orleans
/// passes it to a co-hosted grain by reference, and the bandit view of it is built once per instance.
/// </summary>
[GenerateSerializer, Immutable, Alias("actors.TipCandidate")]
public sealed record TipCandidate(
    [property: Id(0)] string TipId,
    [property: Id(1)] string Category,
    [property: Id(2)] Dictionary<string, double>? Features,
    [property: Id(3)] bool InCatalog,
    [property: Id(4)] string? PromptVersion = null)
{
    [NonSerialized]
    private TipFeatures? _banditFeatures;

    /// <summary>The tip's model feature names, hashed once; computed on first use, never serialized.</summary>
    public TipFeatures BanditFeatures => _banditFeatures ??= new TipFeatures(TipId, Category, Features);
}

/// <summary>A catalog entry as stored and listed by GET /tips.</summary>
public sealed record CatalogTip(
    string TipId,
    string Text,
    string Category,
    Dictionary<string, double> Features,
    string Source,
    string? PromptVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    private TipCandidate? _candidate;

    public TipCandidate AsCandidate => _candidate ??= new TipCandidate(TipId, Category, Features, InCatalog: true, PromptVersion);
}
