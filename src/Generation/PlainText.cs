using System.Globalization;
using System.Text;

namespace Actors.Generation;

/// <summary>
/// One way to make text plain and printable, for what goes to the model (catalog and user text, as data)
/// and what comes back (a generated tip). Built on the runtime's Unicode tables (<see cref="Rune"/>
/// categories, <see cref="string.Normalize(NormalizationForm)"/>, <see cref="StringInfo"/> text
/// elements); the loop that applies them is ours because no library states this exact rule.
/// </summary>
public static class PlainText
{
    public const char Ellipsis = '…';

    /// <summary>
    /// Unicode NFC, with invalid UTF-16 (a lone surrogate) replaced by U+FFFD, format characters (Cf: the
    /// bidi overrides such as U+202E, zero-width spaces and joiners, the invisible tag characters) removed,
    /// and control characters (Cc), line and paragraph separators (Zl, Zp) and every run of white space
    /// collapsed to one space, trimmed at both ends.
    /// </summary>
    public static string Normalise(string text)
    {
        var plain = new StringBuilder(text.Length);
        var pendingSpace = false;
        Span<char> utf16 = stackalloc char[2];
        // EnumerateRunes yields U+FFFD for a lone surrogate, so Normalize below never meets invalid UTF-16.
        foreach (var rune in text.EnumerateRunes())
        {
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Format:
                    continue;
                case UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator:
                    pendingSpace = plain.Length > 0;
                    continue;
            }
            if (pendingSpace) plain.Append(' ');
            pendingSpace = false;
            plain.Append(utf16[..rune.EncodeToUtf16(utf16)]);
        }
        // After the filter: removing a format character can bring a base letter and a combining mark together.
        return plain.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>
    /// At most <paramref name="maxLength"/> UTF-16 code units: a longer text is cut at a text-element
    /// boundary (never inside a surrogate pair or a letter with its marks) and ends with '…'.
    /// </summary>
    public static string Cap(string text, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (text.Length <= maxLength) return text;
        var end = 0;
        while (end < text.Length)
        {
            var next = StringInfo.GetNextTextElementLength(text, end);
            if (end + next > maxLength - 1) break;
            end += next;
        }
        return string.Concat(text.AsSpan(0, end).TrimEnd(), Ellipsis.ToString());
    }

    /// <summary>
    /// Whether this process really normalises: in globalization-invariant mode string.Normalize returns
    /// non-ASCII text unchanged, which would quietly break the NFC promise.
    /// </summary>
    public static bool CanNormalise { get; } = "e\u0301".Normalize(NormalizationForm.FormC) == "\u00E9";

    /// <summary>Whether the text breaks a line anywhere: LF, CR, VT, FF, NEL, U+2028 or U+2029.</summary>
    public static bool HasLineBreak(string text) => text.AsSpan().IndexOfAny(LineBreaks) >= 0;

    private static readonly System.Buffers.SearchValues<char> LineBreaks =
        System.Buffers.SearchValues.Create("\n\r\v\f\u0085\u2028\u2029");
}
