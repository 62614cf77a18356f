using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Actors.Learning.Profile;

namespace Actors.Generation;

/// <summary>A tip the user saw recently and what they did with it.</summary>
public sealed record RecentTip(string Text, string Category, EventKind Reaction);

/// <summary>
/// Everything a prompt may say about the user, typed, in two kinds kept apart. Figures the service
/// computes (the hour, rates, counts) fill the template's named placeholders: they are the instructions,
/// the system message; <see cref="Placeholders"/> lists them, and templates are checked against it. Text
/// that users and the catalog wrote (tip texts, categories) is data: it never enters the instructions but
/// travels as a JSON document in a message of its own (<see cref="DataJson"/>), each item normalised and
/// capped by <see cref="ContextAssembler"/> first.
/// </summary>
public sealed record PromptContext(
    int Hour,
    IReadOnlyDictionary<string, double> ProfileFeatures,
    IReadOnlyList<RecentTip> RecentTips,
    IReadOnlyList<string> FavouredCategories)
{
    /// <summary>The placeholders a template may use, each with how it is rendered: numbers only, never text from outside.</summary>
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
        };

    public const string FavouredCategoriesField = "favoured_categories";
    public const string RecentTipsField = "recent_tips";

    /// <summary>The fields of the data message. They are not placeholders: a template that names one fails at load.</summary>
    public static IReadOnlyList<string> DataFields { get; } = [FavouredCategoriesField, RecentTipsField];

    /// <summary>
    /// The data message: <c>{"favoured_categories": [..], "recent_tips": [{"text", "category", "reaction"}, ..]}</c>.
    /// JSON keeps every item inside a quoted string whatever it holds; the encoder still escapes control
    /// characters and &lt; &gt; &amp; ' " but leaves letters of every script readable for the model.
    /// </summary>
    public string DataJson() => new JsonObject
    {
        [FavouredCategoriesField] = new JsonArray([.. FavouredCategories.Select(c => (JsonNode?)c)]),
        [RecentTipsField] = new JsonArray([.. RecentTips.Select(t => (JsonNode?)new JsonObject
        {
            ["text"] = t.Text,
            ["category"] = t.Category,
            ["reaction"] = EventKinds.Name(t.Reaction),
        })]),
    }.ToJsonString(DataJsonOptions);

    private static readonly JsonSerializerOptions DataJsonOptions = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    private double Feature(string name) =>
        ProfileFeatures.TryGetValue(name, out var value) ? value : ProfileFeatureRegistry.All.First(f => f.Name == name).Default;

    private static string Percent(double rate) => rate.ToString("0%", CultureInfo.InvariantCulture);
}
