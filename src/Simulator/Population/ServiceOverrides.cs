namespace Actors.Simulator.Population;

/// <summary>
/// Configuration for the in-process service of a run: the seed of its policy randomness (<c>Bandit:Seed</c>),
/// the live policy, then the run's own <c>--set Key=Value</c> pairs, which win.
/// </summary>
public static class ServiceOverrides
{
    /// <summary>"Section:Key=Value" as a pair; false when there is no '=' or no key.</summary>
    public static bool TryParse(string text, out KeyValuePair<string, string> pair)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        pair = equals > 0 ? new(text[..equals].Trim(), text[(equals + 1)..]) : default;
        return equals > 0 && pair.Key.Length > 0;
    }

    public static Dictionary<string, string?> For(int seed, string? policy, IEnumerable<KeyValuePair<string, string>> sets)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Bandit:Seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (policy is not null) overrides["Policies:Live"] = policy;
        foreach (var (key, value) in sets) overrides[key] = value;
        return overrides;
    }
}
