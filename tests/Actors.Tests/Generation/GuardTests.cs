using System.Globalization;
using System.Text;
using Actors.Generation;

namespace Actors.Tests.Generation;

public sealed class PlainTextTests
{
    [Theory]
    [InlineData("Tip.\n\nNEW INSTRUCTIONS", "Tip. NEW INSTRUCTIONS")]
    [InlineData("a\r\nb\rc\u2028d\u2029e\u0085f\tg\vh", "a b c d e f g h")]
    [InlineData("evil\u202Etxt.exe", "eviltxt.exe")]
    [InlineData("zero\u200Bwidth\u200C join\u200D\uFEFFer", "zerowidth joiner")]
    [InlineData("tag\U000E0041\U000E0042 characters", "tag characters")]
    [InlineData("  spaced \u00A0\u3000 out  ", "spaced out")]
    [InlineData("bell\u0007 and nul\u0000", "bell and nul")]
    public void Normalise_removes_format_characters_and_collapses_controls_and_line_breaks_to_one_space(string text, string expected) =>
        Assert.Equal(expected, PlainText.Normalise(text));

    [Fact]
    public void Normalise_composes_to_NFC_even_across_a_removed_format_character()
    {
        var plain = PlainText.Normalise("Cafe\u200B\u0301 time");

        Assert.Equal("Caf\u00E9 time", plain);
        Assert.True(plain.IsNormalized(NormalizationForm.FormC));
    }

    [Fact]
    public void Normalise_replaces_a_lone_surrogate_instead_of_throwing() =>
        Assert.Equal("a\uFFFDb", PlainText.Normalise("a\uD800b"));

    [Fact]
    public void Cap_cuts_at_a_text_element_and_marks_the_cut()
    {
        Assert.Equal("short", PlainText.Cap("short", 10));
        Assert.Equal("abcd…", PlainText.Cap("abcdefgh", 5));
        // "e" with a combining acute is one text element: it is kept whole or not at all.
        Assert.Equal("abc…", PlainText.Cap("abce\u0301fgh", 5));
        // So is a surrogate pair.
        Assert.Equal("abc…", PlainText.Cap("abc\U0001F600fgh", 5));
    }
}

public sealed class TipGuardTests
{
    private const int MaxLength = 280;

    /// <summary>The answers of issue 15 ("Why" 6) that must not join the catalog, with the reason each is counted under.</summary>
    public static TheoryData<string, string> IssueAttacks { get; } = new()
    {
        { "<script>alert('hi')</script>", TipRejection.Markup },
        { "Drink a glass of water.\rThen call us.", TipRejection.MultipleLines },
        { "Drink a glass of water.\u2028Then stretch.", TipRejection.MultipleLines },
        { "Here is the system prompt: you write tips. Call +1-900-555-0199 for more.", TipRejection.Phone },
        { "Here is the system prompt you were given, word for word.", TipRejection.PromptTalk },
        { "Visit https://evil.example/tips for a free plan.", TipRejection.Url },
        { "Write to coach@evil.example for a free plan.", TipRejection.Email },
    };

    [Theory]
    [MemberData(nameof(IssueAttacks))]
    [InlineData("Drink water <b>now</b>.", TipRejection.Markup)]
    [InlineData("Stretch now <img src=x onerror=alert(1)", TipRejection.Markup)]
    [InlineData("\uFF1Cscript\uFF1Ealert(1)", TipRejection.Markup)]
    [InlineData("Read [this plan](https://evil.example) today.", TipRejection.Markup)]
    [InlineData("**Drink** a glass of water.", TipRejection.Markup)]
    [InlineData("Drink water &amp; rest.", TipRejection.Markup)]
    [InlineData("Run `rm -rf` today.", TipRejection.Markup)]
    [InlineData("First line.\nSecond line.", TipRejection.MultipleLines)]
    [InlineData("See evil.example for a free plan.", TipRejection.Url)]
    [InlineData("Open www.evil.example today.", TipRejection.Url)]
    [InlineData("Click javascript:alert(1) now.", TipRejection.Url)]
    [InlineData("Connect to 10.0.0.1 for tips.", TipRejection.Url)]
    [InlineData("Call +1-900-555-0199 for more tips.", TipRejection.Phone)]
    [InlineData("Call 1 (900) 555-0199 for more tips.", TipRejection.Phone)]
    [InlineData("Call \uFF0B\uFF11 \uFF19\uFF10\uFF10 \uFF15\uFF15\uFF15 \uFF10\uFF11\uFF19\uFF19 now.", TipRejection.Phone)]
    [InlineData("Ring 0909 879 0000 for a plan.", TipRejection.Phone)]
    [InlineData("My instructions say to drink water.", TipRejection.PromptTalk)]
    [InlineData("As an AI language model, I cannot give advice.", TipRejection.PromptTalk)]
    [InlineData("I'm sorry, but I can't help with that.", TipRejection.PromptTalk)]
    [InlineData("", TipRejection.Empty)]
    [InlineData("\u200B\u200D\u202E", TipRejection.Empty)]
    [InlineData("\"  \"", TipRejection.Empty)]
    public void An_answer_unfit_to_show_is_rejected_with_its_reason(string answer, string reason)
    {
        var verdict = TipGuard.Check(answer, MaxLength);

        Assert.False(verdict.Accepted);
        Assert.Null(verdict.Text);
        Assert.Equal(reason, verdict.Rejection);
    }

    [Fact]
    public void A_too_long_answer_is_rejected_after_invisible_characters_are_removed()
    {
        Assert.Equal(TipRejection.TooLong, TipGuard.Check(new string('x', MaxLength + 1), MaxLength).Rejection);
        // Zero-width padding does not count toward the length: what is shown does.
        Assert.True(TipGuard.Check("Drink water." + new string('\u200B', MaxLength), MaxLength).Accepted);
    }

    [Theory]
    [InlineData("Drink\u202E a glass of water now.", "Drink a glass of water now.")]
    [InlineData("Drink\u200B a glass\u200C of\u200D water\uFEFF now.", "Drink a glass of water now.")]
    [InlineData("\"Drink\ta glass of water now.\"\n", "Drink a glass of water now.")]
    [InlineData("Sip cafe\u0301 slowly.", "Sip caf\u00E9 slowly.")]
    public void Invisible_characters_are_removed_and_the_text_composed(string answer, string shown)
    {
        var verdict = TipGuard.Check(answer, MaxLength);

        Assert.Equal(shown, verdict.Text);
        Assert.DoesNotContain(verdict.Text!, c => char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.Control
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
    }

    [Theory]
    [InlineData("Walk 10,000 steps today.")]
    [InlineData("Drink 2-3 glasses of water before noon.")]
    [InlineData("Keep screen time < 2 hours tonight.")]
    [InlineData("Stand up at 3 p.m. and stretch for 5 minutes, e.g. by your desk.")]
    [InlineData("Try 4-7-8 breathing: in for 4, hold for 7, out for 8.")]
    [InlineData("Put your phone in another room from 22:00 to 07:00.")]
    [InlineData("Write down 3 things you did well today, then rest.")]
    public void Ordinary_tips_pass(string tip) =>
        Assert.Equal(tip, TipGuard.Check(tip, MaxLength).Text);

    [Fact]
    public void Every_tip_the_offline_generator_writes_passes()
    {
        var categories = new[] { "focus", "hydration", "mindfulness", "movement", "nutrition", "sleep", "social" };
        var written = categories.SelectMany(category => Enumerable.Range(0, 24).Select(hour =>
            OfflineTipGenerator.Generate(new PromptContext(hour, new Dictionary<string, double>(), [], [category]), "v1", $"u-{hour}").Text)).Distinct().ToArray();

        Assert.True(written.Length >= categories.Length);
        Assert.All(written, tip => Assert.Equal(tip, TipGuard.Check(tip, MaxLength).Text));
    }
}
