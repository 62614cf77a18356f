using System.Globalization;
using System.Text;

namespace Actors.Gateway.Apis;

/// <summary>
/// The character rules every id and text follows, shared by the general path (<see cref="Validation"/>) and the
/// /score fast path, so both accept exactly the same requests. Hand-written loops rather than regular
/// expressions: the rules are Unicode categories and a configured length, and the fast path runs them on spans
/// without allocating.
/// </summary>
public static class InputText
{
    public const string RefusedCategories = "Unicode Cc, Cf, Zl, Zp, such as U+202E or U+200B";

    /// <summary>
    /// True when the text holds no control (Cc), format (Cf: bidi overrides such as U+202E, zero-width U+200B-U+200D,
    /// U+2060, U+FEFF), line or paragraph separator (Zl, Zp) characters, and no unpaired surrogate. These make an id
    /// or a tip look like something it is not, or break the lines of logs and prompts.
    /// </summary>
    public static bool IsClean(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(text, out var rune, out var consumed) != System.Buffers.OperationStatus.Done) return false;
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control:
                case UnicodeCategory.Format:
                case UnicodeCategory.LineSeparator:
                case UnicodeCategory.ParagraphSeparator:
                    return false;
            }
            text = text[consumed..];
        }
        return true;
    }

    /// <summary>An id that fits in one URL path segment once percent-encoded: no '/', and not a dot segment.</summary>
    public static bool IsPathSafe(ReadOnlySpan<char> id) => !id.Contains('/') && !id.SequenceEqual(".") && !id.SequenceEqual("..");

    /// <summary>1 to <paramref name="maxLength"/> characters of a-z, 0-9, '-', '_', '.'.</summary>
    public static bool IsSlug(ReadOnlySpan<char> name, int maxLength)
    {
        if (name.IsEmpty || name.Length > maxLength) return false;
        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.')) return false;
        }
        return true;
    }

    /// <summary>A bounded, printable rendering of a caller's string for an error message or a field name.</summary>
    public static string Excerpt(string value)
    {
        const int Max = 40;
        var builder = new StringBuilder(Math.Min(value.Length, Max) + 1);
        foreach (var c in value.Length > Max ? value[..Max] : value)
        {
            builder.Append(char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate
                ? $"\\u{(int)c:X4}" : c.ToString());
        }
        if (value.Length > Max) builder.Append('…');
        return builder.ToString();
    }
}
