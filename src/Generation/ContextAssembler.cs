namespace Actors.Generation;

/// <summary>Turns the signals about a user into the typed <see cref="PromptContext"/> a prompt renders.</summary>
public static class ContextAssembler
{
    private const string CategoryPrefix = "cat=";

    /// <summary>Default of Generation:MaxDataItemLength: the longest any one text item of the data message may be.</summary>
    public const int DefaultMaxItemLength = 200;

    /// <param name="banditWeights">The user's bandit weights by feature name (GET /users/{id}/bandit).</param>
    /// <param name="recentTips">The user's recent tips and reactions, newest first; at most <paramref name="maxRecent"/> are kept.</param>
    /// <param name="maxItemLength">Each text item (a tip's text, a category) is normalised by <see cref="PlainText.Normalise"/>
    /// and cut to this many characters: catalog and user text is data, and bounded.</param>
    public static PromptContext Assemble(
        int hour,
        IReadOnlyDictionary<string, double> profileFeatures,
        IReadOnlyList<RecentTip> recentTips,
        IReadOnlyDictionary<string, double> banditWeights,
        int maxRecent = 5,
        int maxFavoured = 3,
        int maxItemLength = DefaultMaxItemLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hour);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hour, 23);
        string Item(string text) => PlainText.Cap(PlainText.Normalise(text), maxItemLength);
        return new PromptContext(
            hour,
            profileFeatures,
            recentTips.Take(maxRecent).Select(t => new RecentTip(Item(t.Text), Item(t.Category), t.Reaction)).ToArray(),
            FavouredCategories(banditWeights, maxFavoured).Select(Item).ToArray());
    }

    /// <summary>
    /// The categories the user's bandit currently favours: those whose own weight (not crossed with the
    /// hour) is positive, highest first, ties by name so the prompt is stable.
    /// </summary>
    public static IReadOnlyList<string> FavouredCategories(IReadOnlyDictionary<string, double> banditWeights, int max) =>
        banditWeights
            .Where(w => w.Key.StartsWith(CategoryPrefix, StringComparison.Ordinal) && !w.Key.Contains('|') && w.Value > 0)
            .OrderByDescending(w => w.Value)
            .ThenBy(w => w.Key, StringComparer.Ordinal)
            .Take(max)
            .Select(w => w.Key[CategoryPrefix.Length..])
            .ToArray();
}
