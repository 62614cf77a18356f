using System.ComponentModel.DataAnnotations;
using Actors.Generation;

namespace Actors.Gateway;

/// <summary>Section "Generation": where prompts come from and what the context carries.</summary>
public sealed class GenerationOptions
{
    public const string Section = "Generation";

    /// <summary>One version, or a comma-separated rotation (each user always gets the same variant).</summary>
    public const string TipPromptVersionVariable = "TIP_PROMPT_VERSION";

    /// <summary>The version used when neither the request nor TIP_PROMPT_VERSION names one (else "v1").</summary>
    public const string DefaultPromptVersionVariable = "DEFAULT_PROMPT_VERSION";

    /// <summary>A directory of extra or overriding <c>&lt;version&gt;.prompt</c> files; none by default.</summary>
    public string? PromptsDirectory { get; set; }

    /// <summary>How many of the user's latest tips and reactions the prompt shows.</summary>
    [Range(0, 50)]
    public int RecentTips { get; set; } = 5;

    /// <summary>
    /// The longest any one text item of the prompt's data message (a recent tip's text, a category) may be,
    /// in UTF-16 code units after normalisation; longer items are cut and end with '…'.
    /// </summary>
    [Range(20, 2000)]
    public int MaxDataItemLength { get; set; } = ContextAssembler.DefaultMaxItemLength;
}
