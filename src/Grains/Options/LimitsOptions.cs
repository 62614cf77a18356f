using System.ComponentModel.DataAnnotations;

namespace Actors.Grains.Options;

/// <summary>
/// Section "Limits": bounds on what callers may put into the service, read by the gateway (request
/// validation) and the catalog (its size). Every name and value a request carries can become a dimension or
/// a coefficient of some user's model, so each has a bound; past it the request is refused with a 400 (or a
/// 409 for a full catalog) that names the field and the limit. The model's own bounds are under "Bandit".
/// </summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Most numeric features one tip (inline or in the catalog) may carry.</summary>
    [Range(0, 1024)]
    public int MaxFeaturesPerTip { get; set; } = 32;

    /// <summary>Longest feature name or category (both are slugs: a-z, 0-9, '-', '_', '.').</summary>
    [Range(1, 256)]
    public int MaxNameLength { get; set; } = 64;

    /// <summary>Most distinct categories in the catalog.</summary>
    [Range(1, 100_000)]
    public int MaxCategories { get; set; } = 64;

    /// <summary>Most tips in the catalog.</summary>
    [Range(1, 10_000_000)]
    public int MaxCatalogTips { get; set; } = 10_000;

    /// <summary>Tip feature values must lie in [-MaxFeatureValue, MaxFeatureValue].</summary>
    [Range(1e-6, 1e6)]
    public double MaxFeatureValue { get; set; } = 10;

    /// <summary>Longest user, tip, event or request id.</summary>
    [Range(1, 1024)]
    public int MaxIdLength { get; set; } = 128;

    /// <summary>Longest tip text in the catalog.</summary>
    [Range(1, 100_000)]
    public int MaxTipTextLength { get; set; } = 2000;
}
