using Actors.Learning.Bandits;

namespace Actors.Tests.Learning;

/// <summary>
/// The configured feature set: its id (what tells a grain to migrate) follows groups, profile features and
/// renames but not how the lists were written; it knows which names it produces; it refuses names it does not
/// know, naming them; and it writes exactly the enabled groups.
/// </summary>
public sealed class FeatureSetTests
{
    private static readonly string[] AllProfile = ["completion_rate_30d", "dismiss_rate_30d", "mean_dwell_ms_30d", "preferred_hour", "tip_volume_30d"];

    private static readonly string[] ProfileModelNames =
        ["user.completion_rate_30d", "user.dismiss_rate_30d", "user.log_mean_dwell_ms_30d", "user.log_tip_volume_30d", "user.preferred_hour_match"];

    [Fact]
    public void The_id_follows_the_configuration_and_not_the_order_it_was_written_in()
    {
        var renames = new Dictionary<string, string> { ["cat=focus"] = "cat=concentration", ["tip=a"] = "tip=b" };
        var reordered = new Dictionary<string, string> { ["tip=a"] = "tip=b", ["cat=focus"] = "cat=concentration" };
        var baseline = new BanditFeatureSet(FeatureGroups.All, AllProfile, renames);

        Assert.Equal(baseline.Id, new BanditFeatureSet(FeatureGroups.All.Reverse(), AllProfile.Reverse(), reordered).Id);
        Assert.Equal(BanditFeatureSet.Default.Id, new BanditFeatureSet().Id);
        Assert.Equal(BanditFeatureSet.Default.Id, new BanditFeatureSet(FeatureGroups.All, AllProfile).Id);

        string[] others =
        [
            BanditFeatureSet.Default.Id,
            new BanditFeatureSet([FeatureGroups.Category, FeatureGroups.CategoryHour, FeatureGroups.Profile], AllProfile, renames).Id,
            new BanditFeatureSet(FeatureGroups.All, AllProfile.Where(p => p != "preferred_hour"), renames).Id,
            new BanditFeatureSet(FeatureGroups.All, AllProfile, new Dictionary<string, string> { ["cat=focus"] = "cat=concentration" }).Id,
            new BanditFeatureSet(FeatureGroups.All, AllProfile, new Dictionary<string, string> { ["cat=focus"] = "cat=attention", ["tip=a"] = "tip=b" }).Id,
        ];
        Assert.DoesNotContain(baseline.Id, others);
        Assert.Equal(others.Length, others.Distinct().Count());
    }

    [Theory]
    [InlineData("bias", true, true)]
    [InlineData("cat=focus", true, true)]
    [InlineData("cat=focus|hour_sin", true, false)]
    [InlineData("cat=focus|hour_cos", true, false)]
    [InlineData("tip=t1", true, false)]
    [InlineData("tip.effort", true, false)]
    [InlineData("user.completion_rate_30d", true, false)]
    [InlineData("user.preferred_hour_match", true, false)]
    [InlineData("user.not_a_feature", false, false)]
    [InlineData("focus", false, false)]
    [InlineData("x00", false, false)]
    public void Produces_says_which_names_a_configuration_can_give(string name, bool byDefault, bool categoryOnly)
    {
        Assert.Equal(byDefault, BanditFeatureSet.Default.Produces(name));
        Assert.Equal(categoryOnly, new BanditFeatureSet([FeatureGroups.Category]).Produces(name));
    }

    [Fact]
    public void A_profile_feature_left_out_of_the_list_is_not_produced()
    {
        var set = new BanditFeatureSet(profileFeatures: ["completion_rate_30d"]);

        Assert.True(set.Produces("user.completion_rate_30d"));
        Assert.False(set.Produces("user.dismiss_rate_30d"));
        Assert.False(new BanditFeatureSet([FeatureGroups.Category, FeatureGroups.Tip]).Produces("user.completion_rate_30d"));
    }

    [Theory]
    [InlineData("categories")]
    [InlineData("Tip")]
    [InlineData("")]
    public void An_unknown_group_is_refused_by_name(string group)
    {
        var error = Assert.Throws<ArgumentException>(() => new BanditFeatureSet([FeatureGroups.Category, group]));

        Assert.Equal("groups", error.ParamName);
        Assert.Contains($"'{group}'", error.Message);
    }

    [Theory]
    [InlineData("completion_rate")]
    [InlineData("user.completion_rate_30d")]
    public void An_unknown_profile_feature_is_refused_by_name(string feature)
    {
        var error = Assert.Throws<ArgumentException>(() => new BanditFeatureSet(profileFeatures: ["tip_volume_30d", feature]));

        Assert.Equal("profileFeatures", error.ParamName);
        Assert.Contains($"'{feature}'", error.Message);
    }

    [Theory]
    [InlineData("category,category_hour,tip,profile")]
    [InlineData("category")]
    [InlineData("category_hour")]
    [InlineData("tip")]
    [InlineData("profile")]
    [InlineData("tip,category")]
    [InlineData("")]
    public void Build_writes_exactly_the_enabled_groups(string list)
    {
        var groups = list.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var set = new BanditFeatureSet(groups);
        TipFeatures[] tips =
        [
            new("t1", "focus", new Dictionary<string, double> { ["effort"] = 0.5, ["minutes"] = 2 }),
            new("t2", "rest", null),
        ];

        var batch = set.Build([0.5, 0.1, 3000, 10, 20], 10, tips);

        var expectedShared = new List<string> { "bias" };
        if (groups.Contains("profile")) expectedShared.AddRange(ProfileModelNames);
        Assert.Equal(expectedShared.Order(StringComparer.Ordinal), batch.Shared.Select(f => f.Name).Order(StringComparer.Ordinal));

        string[] Expected(string id, string category, params string[] numeric) =>
        [
            .. groups.Contains("category") ? [$"cat={category}"] : Array.Empty<string>(),
            .. groups.Contains("category_hour") ? [$"cat={category}|hour_sin", $"cat={category}|hour_cos"] : Array.Empty<string>(),
            .. groups.Contains("tip") ? [$"tip={id}", .. numeric] : Array.Empty<string>(),
        ];
        Assert.Equal(Expected("t1", "focus", "tip.effort", "tip.minutes"), batch.Candidate(0).ToArray().Select(f => f.Name));
        Assert.Equal(Expected("t2", "rest"), batch.Candidate(1).ToArray().Select(f => f.Name));
        // Every name written is one the set says it produces: what migration keeps.
        Assert.All(batch.Items.Concat(batch.Shared), f => Assert.True(set.Produces(f.Name), f.Name));
    }
}
