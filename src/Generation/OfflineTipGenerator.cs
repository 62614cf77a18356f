using System.IO.Hashing;
using System.Text;

namespace Actors.Generation;

/// <summary>A generated tip before it enters the catalog.</summary>
public sealed record GeneratedTip(string Text, string Category);

/// <summary>
/// The generator the embedded default uses when no LLM endpoint is configured: deterministic and
/// template-based, so the one-command run and the tests need no network. It writes for the category
/// the user favours most (else one chosen by the hour), avoiding the text of recent tips.
/// </summary>
public static class OfflineTipGenerator
{
    public const string Provider = "offline";
    public const string Model = "template";

    private static readonly IReadOnlyDictionary<string, string[]> Phrases = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["focus"] = ["Choose one task and give it the next 20 minutes, notifications off.", "Write the next step of your main task on a sticky note before you start."],
        ["hydration"] = ["Fill a glass of water now and drink half of it.", "Put a full bottle of water next to your keyboard."],
        ["mindfulness"] = ["Breathe in for four counts and out for six, three times.", "Name three sounds you can hear right now."],
        ["movement"] = ["Stand up and walk to the farthest window and back.", "Do ten slow calf raises while you read your next message."],
        ["nutrition"] = ["Add a handful of vegetables to your next meal.", "Swap your next snack for a piece of fruit."],
        ["sleep"] = ["Set an alarm for one hour before bed to start winding down.", "Dim the lights in the room you are in for the evening."],
        ["social"] = ["Send a two-line message to someone you miss.", "Thank one person today for something specific."],
    };

    private static readonly string[] ByHour = ["sleep", "mindfulness", "hydration", "focus", "movement", "nutrition", "social"];

    /// <summary>The category a tip for this context is written for: the favoured one the generator knows, else one by the hour.</summary>
    public static string CategoryFor(PromptContext context) =>
        context.FavouredCategories.FirstOrDefault(Phrases.ContainsKey) ?? ByHour[context.Hour * ByHour.Length / 24];

    public static GeneratedTip Generate(PromptContext context, string promptVersion, string userId)
    {
        var category = CategoryFor(context);
        var recent = context.RecentTips.Select(t => t.Text).ToHashSet(StringComparer.Ordinal);
        var options = Phrases[category].Where(p => !recent.Contains(p)).ToArray();
        if (options.Length == 0) options = Phrases[category];
        var pick = XxHash64.HashToUInt64(Encoding.UTF8.GetBytes($"{userId}\n{promptVersion}\n{context.Hour}")) % (ulong)options.Length;
        return new GeneratedTip(options[pick], category);
    }
}
