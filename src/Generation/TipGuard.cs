using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using PhoneNumbers;

namespace Actors.Generation;

/// <summary>Why a model's answer was not accepted as a tip; the names are the <c>reason</c> tag and the HTTP figure's keys.</summary>
public static class TipRejection
{
    public const string Empty = "empty";
    public const string TooLong = "too_long";
    public const string MultipleLines = "multiple_lines";
    public const string Markup = "markup";
    public const string Email = "email";
    public const string Url = "url";
    public const string Phone = "phone";
    public const string PromptTalk = "prompt_talk";

    /// <summary>In the order <see cref="TipGuard.Check"/> tests them.</summary>
    public static IReadOnlyList<string> All { get; } = [Empty, MultipleLines, TooLong, Markup, Email, Url, Phone, PromptTalk];
}

/// <summary>A checked answer: the tip to show (normalised), or why there is none.</summary>
public sealed record TipVerdict(string? Text, string? Rejection)
{
    public bool Accepted => Rejection is null;
}

/// <summary>
/// Decides whether a model's answer is fit to show a person, and normalises it. The answer is one line
/// (any line break, a bare CR or U+2028 included, rejects it); it is made plain by
/// <see cref="PlainText.Normalise"/> (NFC; no Cc, Cf, Zl or Zp characters), and must then be non-empty,
/// within the length bound, free of markup, and hold no e-mail address, URL or phone number, nor talk about
/// prompts, instructions or the model itself. The detectors read an NFKC fold of the text, so full-width
/// look-alikes (＜script＞, ｗｗｗ．…, full-width digits) are seen as what they imitate.
/// </summary>
public static partial class TipGuard
{
    private static readonly MarkdownPipeline CommonMark = new MarkdownPipelineBuilder().Build();

    public static TipVerdict Check(string? answer, int maxLength)
    {
        var trimmed = answer?.Trim().Trim('"', '“', '”').Trim();
        if (string.IsNullOrEmpty(trimmed)) return Reject(TipRejection.Empty);
        if (PlainText.HasLineBreak(trimmed)) return Reject(TipRejection.MultipleLines);
        var text = PlainText.Normalise(trimmed);
        if (text.Length == 0) return Reject(TipRejection.Empty);
        if (text.Length > maxLength) return Reject(TipRejection.TooLong);

        var folded = text.Normalize(NormalizationForm.FormKC);
        if (IsMarkup(folded)) return Reject(TipRejection.Markup);
        if (EmailPattern().IsMatch(folded)) return Reject(TipRejection.Email);
        if (UrlPattern().IsMatch(folded)) return Reject(TipRejection.Url);
        if (HasPhoneNumber(folded)) return Reject(TipRejection.Phone);
        if (PromptTalkPattern().IsMatch(folded)) return Reject(TipRejection.PromptTalk);
        return new TipVerdict(text, null);
    }

    private static TipVerdict Reject(string reason) => new(null, reason);

    /// <summary>
    /// Markup is anything a CommonMark parser (Markdig) reads as more than one paragraph of literal text:
    /// HTML tags and blocks, entities, links, images, autolinks, emphasis, code, headings, lists, quotes.
    /// An unclosed tag such as "&lt;script src=…" is not HTML to CommonMark but still is to a browser,
    /// so a '&lt;' that opens a tag name, '/', '!' or '?' counts as markup too.
    /// </summary>
    private static bool IsMarkup(string text)
    {
        if (TagOpenPattern().IsMatch(text)) return true;
        var document = Markdown.Parse(text, CommonMark);
        return document is not [ParagraphBlock { Inline: { } inline }] || inline.Any(node => node is not LiteralInline);
    }

    /// <summary>
    /// libphonenumber finds numbers written in international form for any country, and national ones for
    /// the North American plan (where 1-900 premium numbers live). It needs a home region to read another
    /// country's national numbers, so any run of seven or more digits, with the usual separators, counts
    /// too: no micro-habit needs one.
    /// </summary>
    private static bool HasPhoneNumber(string text) =>
        DigitRunPattern().IsMatch(text) ||
        PhoneNumberUtil.GetInstance().FindNumbers(text, "US", PhoneNumberUtil.Leniency.POSSIBLE, long.MaxValue).Any();

    // The patterns below are hand-written: no library detects URLs, e-mail addresses or talk about prompts
    // in free text. NonBacktracking keeps each match linear in the input, hostile or not.

    [GeneratedRegex(@"<\s*[a-z/!?]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex TagOpenPattern();

    [GeneratedRegex(@"[a-z0-9._%+\-]+@[a-z0-9\-]+(\.[a-z0-9\-]+)+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex EmailPattern();

    /// <summary>A scheme (with "//" or one of the schemes that need none), "www.", an IPv4 address, or a bare domain name such as "evil.example".</summary>
    [GeneratedRegex(
        @"[a-z][a-z0-9+.\-]*://|\b(https?|ftp|file|mailto|tel|sms|javascript|vbscript|data):|\bwww\d{0,3}\.|\b\d{1,3}(\.\d{1,3}){3}\b|\b([a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?\.)+([a-z]{2,24}|xn--[a-z0-9\-]{1,59})\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"\+?\d([ \-.()/]{0,2}\d){6,}", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex DigitRunPattern();

    /// <summary>The model talking about its prompt, its instructions or itself, or refusing, instead of giving a tip.</summary>
    [GeneratedRegex(
        @"\b(system\s+prompts?|prompts?|instructions?|as\s+an\s+ai|ai\s+(language\s+)?model|language\s+model|i\s+am\s+sorry|i['’]m\s+sorry|i\s+cannot|i\s+can['’]t|ignore\s+(all\s+|the\s+)?(previous|above)|jailbreak|chatgpt|openai)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex PromptTalkPattern();
}
