using System.Text.RegularExpressions;

namespace Actors.Generation;

/// <summary>One version of the tip-generation prompt: the instructions, which the data message follows.</summary>
public sealed record PromptTemplate(string Version, string Text, IReadOnlyList<string> Placeholders)
{
    /// <summary>The instructions (the system message): the template with its figures filled in, no outside text.</summary>
    public string Render(PromptContext context) => PromptRegistry.PlaceholderPattern().Replace(
        Text, match => PromptContext.Placeholders[match.Groups[1].Value](context));
}

/// <summary>
/// Prompt versions keyed by a stable version string. A version is a file (<c>&lt;version&gt;.prompt</c>):
/// the shipped ones are embedded; a directory may add or override some. Adding a variant means adding a
/// file, with no caller changes. Every template is checked when the registry is built: a placeholder
/// that <see cref="PromptContext"/> cannot fill fails the start, and so does one naming a data field
/// (recent tips, favoured categories), because outside text must never be spliced into instructions.
/// </summary>
public sealed partial class PromptRegistry
{
    private readonly Dictionary<string, PromptTemplate> _templates;

    private PromptRegistry(Dictionary<string, PromptTemplate> templates) => _templates = templates;

    public IReadOnlyList<string> Versions => _templates.Keys.Order(StringComparer.Ordinal).ToArray();

    public IReadOnlyList<PromptTemplate> Templates => _templates.Values.OrderBy(t => t.Version, StringComparer.Ordinal).ToArray();

    public bool TryGet(string version, out PromptTemplate template) => _templates.TryGetValue(version, out template!);

    /// <summary>The shipped prompts, plus the <c>*.prompt</c> files of <paramref name="directory"/> when given.</summary>
    public static PromptRegistry Load(string? directory = null)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var assembly = typeof(PromptRegistry).Assembly;
        const string prefix = "Actors.Generation.Prompts.";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            sources[resource[prefix.Length..^".prompt".Length]] = reader.ReadToEnd();
        }
        if (directory is not null)
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*.prompt"))
            {
                sources[Path.GetFileNameWithoutExtension(file)] = File.ReadAllText(file);
            }
        }
        return FromSources(sources);
    }

    /// <summary>Builds a registry from version → template text, validating every template.</summary>
    public static PromptRegistry FromSources(IReadOnlyDictionary<string, string> sources)
    {
        var templates = new Dictionary<string, PromptTemplate>(StringComparer.Ordinal);
        foreach (var (version, text) in sources)
        {
            if (!VersionPattern().IsMatch(version))
            {
                throw new InvalidOperationException($"Prompt version '{version}' is not a valid version string (letters, digits, '.', '_', '-').");
            }
            if (string.IsNullOrWhiteSpace(text)) throw new InvalidOperationException($"Prompt '{version}' is empty.");
            var placeholders = PlaceholderPattern().Matches(text).Select(m => m.Groups[1].Value).Distinct().ToArray();
            var data = placeholders.Where(PromptContext.DataFields.Contains).ToArray();
            if (data.Length > 0)
            {
                throw new InvalidOperationException(
                    $"Prompt '{version}' uses {string.Join(", ", data.Select(d => "{{" + d + "}}"))}, which is data written by users and the catalog: " +
                    $"it reaches the model as a field of the separate JSON data message, never inside the instructions. Refer to it by name instead.");
            }
            var unknown = placeholders.Where(p => !PromptContext.Placeholders.ContainsKey(p)).ToArray();
            if (unknown.Length > 0)
            {
                throw new InvalidOperationException(
                    $"Prompt '{version}' uses unknown placeholder(s) {string.Join(", ", unknown.Select(u => "{{" + u + "}}"))}; " +
                    $"known: {string.Join(", ", PromptContext.Placeholders.Keys)}.");
            }
            templates[version] = new PromptTemplate(version, text.Trim(), placeholders);
        }
        if (templates.Count == 0) throw new InvalidOperationException("No prompt versions are registered.");
        return new PromptRegistry(templates);
    }

    [GeneratedRegex(@"\{\{\s*([a-z_]+)\s*\}\}")]
    internal static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex VersionPattern();
}
