using System.Globalization;
using Actors.Learning.Profile;

namespace Actors.Generation;

/// <summary>A tip the user saw recently and what they did with it.</summary>
public sealed record RecentTip(string Text, string Category, EventKind Reaction);

/// <summary>
/// Everything a prompt may say about the user, typed. Rendering turns it into the named placeholders
/// a prompt template uses; <see cref="Placeholders"/> lists them, and templates are checked against it.
/// </summary>
public sealed record PromptContext(
    int Hour,
    IReadOnlyDictionary<string, double> ProfileFeatures,
    IReadOnlyList<RecentTip> RecentTips,
    IReadOnlyList<string> FavouredCategories)
{
    /// <summary>The placeholders a template may use, each with how it is rendered.</summary>
    public static IReadOnlyDictionary<string, Func<PromptContext, string>> Placeholders { get; } =
        new Dictionary<string, Func<PromptContext, string>>(StringComparer.Ordinal)
        {
            ["hour"] = c => c.Hour.ToString("00", CultureInfo.InvariantCulture),
            ["completion_rate"] = c => Percent(c.Feature(ProfileFeatureRegistry.CompletionRate.Name)),
            ["dismiss_rate"] = c => Percent(c.Feature(ProfileFeatureRegistry.DismissRate.Name)),
            ["mean_dwell_seconds"] = c => (c.Feature(ProfileFeatureRegistry.MeanDwell.Name) / 1000).ToString("0.#", CultureInfo.InvariantCulture),
            ["preferred_hour"] = c => c.Feature(ProfileFeatureRegistry.PreferredHour.Name) is var h and >= 0
                ? $"{h.ToString("00", CultureInfo.InvariantCulture)}:00"
                : "not known yet",
            ["tip_volume"] = c => c.Feature(ProfileFeatureRegistry.TipVolume.Name).ToString("0", CultureInfo.InvariantCulture),
            ["favoured_categories"] = c => c.FavouredCategories.Count == 0 ? "not known yet" : string.Join(", ", c.FavouredCategories),
            ["recent_tips"] = c => c.RecentTips.Count == 0
                ? "none yet"
                : string.Join("; ", c.RecentTips.Select(t => $"\"{t.Text}\" ({t.Category}, {EventKinds.Name(t.Reaction)})")),
        };

    private double Feature(string name) =>
        ProfileFeatures.TryGetValue(name, out var value) ? value : ProfileFeatureRegistry.All.First(f => f.Name == name).Default;

    private static string Percent(double rate) => rate.ToString("0%", CultureInfo.InvariantCulture);
}
