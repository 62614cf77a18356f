using Actors.Abstractions;

namespace Actors.Grains.Services;

/// <summary>The tip catalog, held in memory and written through to the store.</summary>
public interface ITipCatalog
{
    bool TryGet(string tipId, out CatalogTip tip);

    /// <summary>Looks a tip up by the characters of its id, without making a string of them.</summary>
    bool TryGet(ReadOnlySpan<char> tipId, out CatalogTip tip);

    IReadOnlyList<CatalogTip> List();

    /// <summary>Adds or replaces a tip; returns the stored entry and whether it was new.</summary>
    Task<(CatalogTip Tip, bool Created)> UpsertAsync(string tipId, string text, string category, Dictionary<string, double> features, string source, string? promptVersion = null);
}
