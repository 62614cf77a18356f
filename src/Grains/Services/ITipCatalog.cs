using Actors.Abstractions;

namespace Actors.Grains.Services;

/// <summary>The tip catalog, held in memory and written through to the store.</summary>
public interface ITipCatalog
{
    bool TryGet(string tipId, out CatalogTip tip);

    /// <summary>Looks a tip up by the characters of its id, without making a string of them.</summary>
    bool TryGet(ReadOnlySpan<char> tipId, out CatalogTip tip);

    /// <summary>Every tip, ordered by tip id (ordinal).</summary>
    IReadOnlyList<CatalogTip> List();

    /// <summary>
    /// Adds a tip, or replaces one that the API added. Refuses, writing nothing, to replace a seed or generated
    /// tip, to add a tip to a full catalog (Limits:MaxCatalogTips), or to add a category past Limits:MaxCategories.
    /// </summary>
    Task<CatalogWrite> UpsertAsync(string tipId, string text, string category, Dictionary<string, double> features, string source, string? promptVersion = null);
}

/// <summary>What a catalog write did; <see cref="CatalogWrite.Tip"/> is the stored entry when it wrote one.</summary>
public enum CatalogWriteOutcome
{
    Created,
    Replaced,

    /// <summary>The id names a seed or generated tip: only tips added through the API can be replaced.</summary>
    Protected,

    /// <summary>The catalog holds Limits:MaxCatalogTips tips.</summary>
    CatalogFull,

    /// <summary>The tip's category would be one more than Limits:MaxCategories.</summary>
    TooManyCategories,
}

public sealed record CatalogWrite(CatalogWriteOutcome Outcome, CatalogTip? Tip)
{
    public bool Written => Outcome is CatalogWriteOutcome.Created or CatalogWriteOutcome.Replaced;
}

/// <summary>The sources of catalog tips.</summary>
public static class TipSources
{
    public const string Seed = "seed";
    public const string Api = "api";
    public const string Generated = "generated";
}
