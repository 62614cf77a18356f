using Actors.Learning.Profile;

namespace Actors.Learning.Bandits;

/// <summary>A tip as the bandit sees it: its category and optional numeric features.</summary>
public sealed class TipFeatures
{
    private readonly int _category;
    private readonly int _categoryHourSin;
    private readonly int _categoryHourCos;
    private readonly SparseFeature[] _numeric;

    public TipFeatures(string category, IReadOnlyDictionary<string, double>? features, FeatureSpace? space = null)
    {
        space ??= FeatureSpace.Shared;
        Category = category;
        _category = space.Intern($"cat={category}");
        _categoryHourSin = space.Intern($"cat={category}|hour_sin");
        _categoryHourCos = space.Intern($"cat={category}|hour_cos");
        _numeric = features is null
            ? []
            : features.OrderBy(f => f.Key, StringComparer.Ordinal)
                .Select(f => new SparseFeature(space.Intern($"tip.{f.Key}"), f.Value))
                .ToArray();
    }

    public string Category { get; }

    /// <summary>Number of entries <see cref="Write"/> produces.</summary>
    public int Length => 3 + _numeric.Length;

    /// <summary>
    /// Writes the tip's part of the vector. The category is crossed with the hour so each user can
    /// learn when, not only what: a per-user linear model cannot rank tips on features they share.
    /// </summary>
    public void Write(Span<SparseFeature> destination, in HourEncoding hour)
    {
        destination[0] = new SparseFeature(_category, 1.0);
        destination[1] = new SparseFeature(_categoryHourSin, hour.Sin);
        destination[2] = new SparseFeature(_categoryHourCos, hour.Cos);
        _numeric.CopyTo(destination[3..]);
    }
}

/// <summary>An hour of day on the unit circle, so 23h and 0h are neighbours.</summary>
public readonly record struct HourEncoding(int Hour, double Sin, double Cos)
{
    public static HourEncoding Of(int hour)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hour);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hour, 23);
        var angle = 2 * Math.PI * hour / 24;
        return new HourEncoding(hour, Math.Sin(angle), Math.Cos(angle));
    }
}

/// <summary>
/// Builds the part of a bandit vector that every candidate of one request shares: a bias, the user's
/// profile features (scaled to about unit range) and how close the hour is to the user's preferred hour.
/// Within one user these shift the expected reward of all tips alike; they carry the user's baseline.
/// </summary>
public sealed class SharedFeatureBuilder
{
    private readonly int _bias;
    private readonly int _completionRate;
    private readonly int _dismissRate;
    private readonly int _meanDwell;
    private readonly int _tipVolume;
    private readonly int _preferredHourMatch;

    private static readonly int CompletionIndex = ProfileFeatureRegistry.IndexOf(ProfileFeatureRegistry.CompletionRate.Name);
    private static readonly int DismissIndex = ProfileFeatureRegistry.IndexOf(ProfileFeatureRegistry.DismissRate.Name);
    private static readonly int DwellIndex = ProfileFeatureRegistry.IndexOf(ProfileFeatureRegistry.MeanDwell.Name);
    private static readonly int VolumeIndex = ProfileFeatureRegistry.IndexOf(ProfileFeatureRegistry.TipVolume.Name);
    private static readonly int PreferredHourIndex = ProfileFeatureRegistry.IndexOf(ProfileFeatureRegistry.PreferredHour.Name);

    public const int Length = 6;

    public SharedFeatureBuilder(FeatureSpace? space = null)
    {
        space ??= FeatureSpace.Shared;
        (_bias, _completionRate, _dismissRate, _meanDwell, _tipVolume, _preferredHourMatch) =
            (space.Intern(Names[0]), space.Intern(Names[1]), space.Intern(Names[2]), space.Intern(Names[3]), space.Intern(Names[4]), space.Intern(Names[5]));
    }

    /// <summary>The shared features' names, in the order <see cref="Write"/> writes them.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "bias",
        $"user.{ProfileFeatureRegistry.CompletionRate.Name}",
        $"user.{ProfileFeatureRegistry.DismissRate.Name}",
        $"user.log_{ProfileFeatureRegistry.MeanDwell.Name}",
        $"user.log_{ProfileFeatureRegistry.TipVolume.Name}",
        "user.preferred_hour_match",
    ];

    public static SharedFeatureBuilder Default { get; } = new();

    /// <param name="profile">Profile feature values in <see cref="ProfileFeatureRegistry.All"/> order.</param>
    public void Write(Span<SparseFeature> destination, ReadOnlySpan<double> profile, in HourEncoding hour)
    {
        destination[0] = new SparseFeature(_bias, 1.0);
        destination[1] = new SparseFeature(_completionRate, Math.Clamp(profile[CompletionIndex], 0, 1));
        destination[2] = new SparseFeature(_dismissRate, Math.Clamp(profile[DismissIndex], 0, 1));
        // Dwell and volume span orders of magnitude; log scaling keeps them near [0, 1.5].
        destination[3] = new SparseFeature(_meanDwell, double.LogP1(Math.Max(0, profile[DwellIndex])) / 10);
        destination[4] = new SparseFeature(_tipVolume, double.LogP1(Math.Max(0, profile[VolumeIndex])) / 5);
        var preferred = (int)profile[PreferredHourIndex];
        destination[5] = new SparseFeature(
            _preferredHourMatch,
            preferred is >= 0 and <= 23 ? Math.Cos(2 * Math.PI * (hour.Hour - preferred) / 24) : 0);
    }
}
