using System.IO.Hashing;
using System.Text;

namespace Actors.Generation;

/// <summary>
/// Which prompt version a /generate request uses: the body's prompt_version, else TIP_PROMPT_VERSION
/// (one version, or a comma-separated rotation in which each user always gets the same variant), else
/// DEFAULT_PROMPT_VERSION, else "v1". Versions named by the environment are checked at start.
/// </summary>
public sealed class PromptSelection
{
    public const string FallbackVersion = "v1";

    private readonly IReadOnlyList<string> _rotation;
    private readonly string? _default;

    public PromptSelection(PromptRegistry registry, string? tipPromptVersion, string? defaultPromptVersion)
    {
        _rotation = (tipPromptVersion ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        _default = string.IsNullOrWhiteSpace(defaultPromptVersion) ? null : defaultPromptVersion.Trim();
        var named = _rotation.Append(_default ?? FallbackVersion);
        var unknown = named.Where(v => !registry.TryGet(v, out _)).Distinct().ToArray();
        if (unknown.Length > 0)
        {
            throw new InvalidOperationException(
                $"Unknown prompt version(s) {string.Join(", ", unknown)} in TIP_PROMPT_VERSION/DEFAULT_PROMPT_VERSION; known: {string.Join(", ", registry.Versions)}.");
        }
    }

    /// <summary>The version for this user when the request names none.</summary>
    public string ForUser(string userId) => _rotation.Count switch
    {
        0 => _default ?? FallbackVersion,
        1 => _rotation[0],
        _ => _rotation[(int)(StableHash(userId) % (ulong)_rotation.Count)],
    };

    /// <summary>XxHash64 of the UTF-8 user id: the same in every process and release, unlike string.GetHashCode.</summary>
    private static ulong StableHash(string userId) => XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(userId));
}
