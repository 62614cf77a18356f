using Actors.Generation;
using Actors.Learning.Profile;

namespace Actors.Tests.Generation;

public sealed class PromptRegistryTests
{
    private static readonly PromptContext Context = new(
        Hour: 7,
        ProfileFeatures: new Dictionary<string, double>
        {
            ["completion_rate_30d"] = 0.25,
            ["dismiss_rate_30d"] = 0.5,
            ["mean_dwell_ms_30d"] = 1500,
            ["preferred_hour"] = 21,
            ["tip_volume_30d"] = 12,
        },
        RecentTips: [new RecentTip("Drink a glass of water.", "hydration", EventKind.Dismiss)],
        FavouredCategories: ["focus", "sleep"]);

    [Fact]
    public void The_shipped_registry_has_v1_and_v2_and_they_ask_for_different_things()
    {
        var registry = PromptRegistry.Load();

        Assert.Contains("v1", registry.Versions);
        Assert.Contains("v2", registry.Versions);
        Assert.True(registry.TryGet("v1", out var v1));
        Assert.True(registry.TryGet("v2", out var v2));
        Assert.NotEqual(v1.Text, v2.Text);
        // v2 also tells the model the preferred hour and the volume of tips; v1 does not.
        Assert.Contains("preferred_hour", v2.Placeholders);
        Assert.DoesNotContain("preferred_hour", v1.Placeholders);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public void Rendering_fills_every_placeholder_with_the_context(string version)
    {
        Assert.True(PromptRegistry.Load().TryGet(version, out var template));

        var prompt = template.Render(Context);

        Assert.DoesNotContain("{{", prompt);
        Assert.Contains("07:00", prompt);
        Assert.Contains("25%", prompt);
        Assert.Contains("50%", prompt);
        Assert.Contains("focus, sleep", prompt);
        Assert.Contains("\"Drink a glass of water.\" (hydration, dismiss)", prompt);
    }

    [Fact]
    public void A_template_with_an_unknown_placeholder_fails_when_the_registry_is_built()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            PromptRegistry.FromSources(new Dictionary<string, string> { ["v9"] = "Hello {{user_name}}, it is {{hour}}." }));

        Assert.Contains("{{user_name}}", error.Message);
        Assert.DoesNotContain("{{hour}}", error.Message.Split(';')[0]);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("")]
    [InlineData("v/1")]
    public void A_bad_version_string_fails(string version) =>
        Assert.Throws<InvalidOperationException>(() => PromptRegistry.FromSources(new Dictionary<string, string> { [version] = "Tip at {{hour}}." }));

    [Fact]
    public void A_prompts_directory_adds_versions_without_code_changes()
    {
        var directory = Infrastructure.TempDirectory.Create("prompts");
        try
        {
            File.WriteAllText(Path.Combine(directory, "v3-short.prompt"), "One tip for {{favoured_categories}} at {{hour}}:00.");

            var registry = PromptRegistry.Load(directory);

            Assert.Contains("v3-short", registry.Versions);
            Assert.True(registry.TryGet("v3-short", out var v3));
            Assert.Equal("One tip for focus, sleep at 07:00.", v3.Render(Context));
        }
        finally
        {
            Infrastructure.TempDirectory.Delete(directory);
        }
    }
}

public sealed class PromptSelectionTests
{
    private static readonly PromptRegistry Registry = PromptRegistry.FromSources(new Dictionary<string, string>
    {
        ["v1"] = "a {{hour}}",
        ["v2"] = "b {{hour}}",
        ["v3"] = "c {{hour}}",
    });

    [Theory]
    [InlineData(null, null, "v1")]
    [InlineData(null, "v2", "v2")]
    [InlineData("v3", "v2", "v3")]
    [InlineData(" v3 ", null, "v3")]
    public void Without_a_body_version_the_environment_then_the_default_then_v1_decide(string? tipPromptVersion, string? defaultVersion, string expected) =>
        Assert.Equal(expected, new PromptSelection(Registry, tipPromptVersion, defaultVersion).ForUser("anyone"));

    [Fact]
    public void A_rotation_gives_each_user_one_variant_always_and_spreads_users_over_all()
    {
        var selection = new PromptSelection(Registry, "v1,v2,v3", null);
        var counts = new Dictionary<string, int>();
        for (var u = 0; u < 3000; u++)
        {
            var user = $"user-{u}";
            var version = selection.ForUser(user);
            Assert.Equal(version, selection.ForUser(user));
            Assert.Equal(version, new PromptSelection(Registry, "v1,v2,v3", null).ForUser(user));
            counts[version] = counts.GetValueOrDefault(version) + 1;
        }

        Assert.Equal(3, counts.Count);
        // 1000 expected per variant; a binomial standard deviation is about 26, so ±150 is over 5 sigma.
        Assert.All(counts.Values, n => Assert.InRange(n, 850, 1150));
    }

    [Theory]
    [InlineData("v1,v7", null)]
    [InlineData(null, "v8")]
    public void An_unknown_version_in_the_environment_fails_at_start(string? tipPromptVersion, string? defaultVersion)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new PromptSelection(Registry, tipPromptVersion, defaultVersion));
        Assert.Contains("v1, v2, v3", error.Message);
    }
}

public sealed class ContextAssemblerTests
{
    [Fact]
    public void Favoured_categories_are_the_positive_category_weights_highest_first()
    {
        var weights = new Dictionary<string, double>
        {
            ["bias"] = 2.0,
            ["cat=sleep"] = 0.4,
            ["cat=focus"] = 0.9,
            ["cat=focus|hour_sin"] = 5.0,
            ["cat=social"] = -0.3,
            ["cat=movement"] = 0.4,
            ["tip.effort"] = 1.0,
        };

        Assert.Equal(["focus", "movement", "sleep"], ContextAssembler.FavouredCategories(weights, max: 3));
        Assert.Equal(["focus"], ContextAssembler.FavouredCategories(weights, max: 1));
    }

    [Fact]
    public void The_context_keeps_the_newest_recent_tips_and_checks_the_hour()
    {
        var recent = Enumerable.Range(0, 8).Select(i => new RecentTip($"tip {i}", "focus", EventKind.View)).ToArray();

        var context = ContextAssembler.Assemble(22, new Dictionary<string, double>(), recent, new Dictionary<string, double>());

        Assert.Equal(["tip 0", "tip 1", "tip 2", "tip 3", "tip 4"], context.RecentTips.Select(t => t.Text));
        Assert.Empty(context.FavouredCategories);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ContextAssembler.Assemble(24, new Dictionary<string, double>(), recent, new Dictionary<string, double>()));
    }
}

public sealed class OfflineTipGeneratorTests
{
    [Fact]
    public void It_writes_for_the_favoured_category_deterministically_and_avoids_recent_text()
    {
        var context = new PromptContext(9, new Dictionary<string, double>(), [], ["movement", "focus"]);

        var first = OfflineTipGenerator.Generate(context, "v1", "u-1");
        Assert.Equal("movement", first.Category);
        Assert.Equal(first, OfflineTipGenerator.Generate(context, "v1", "u-1"));

        var seen = context with { RecentTips = [new RecentTip(first.Text, "movement", EventKind.Complete)] };
        var next = OfflineTipGenerator.Generate(seen, "v1", "u-1");
        Assert.Equal("movement", next.Category);
        Assert.NotEqual(first.Text, next.Text);
    }

    [Fact]
    public void Without_favoured_categories_the_hour_chooses()
    {
        var night = OfflineTipGenerator.Generate(new PromptContext(1, new Dictionary<string, double>(), [], []), "v1", "u-2");
        Assert.Equal("sleep", night.Category);
        Assert.False(string.IsNullOrWhiteSpace(night.Text));
    }
}
