using Actors.Learning.Profile;

namespace Actors.Tests.Learning;

/// <summary>Stored profile slots carried over to another feature list by name.</summary>
public sealed class ProfileMigrationTests
{
    private static readonly ProfileFeature Volume = ProfileFeatureRegistry.TipVolume;
    private static readonly ProfileFeature Completion = ProfileFeatureRegistry.CompletionRate;
    private static readonly ProfileFeature Hour = ProfileFeatureRegistry.PreferredHour;
    private static readonly Dictionary<string, string> NoRenames = new();

    [Fact]
    public void Kept_and_renamed_features_keep_their_slots_new_ones_are_left_for_sql_and_dropped_ones_leave()
    {
        // Stored: [old_completion (2 slots), retired (3), tip_volume (1)]; target: [completion, preferred_hour, tip_volume].
        double[] stored = [3, 4, 7, 7, 7, 9];
        var result = ProfileMigration.Migrate(
            ["old_completion", "retired", Volume.Name], [2, 3, 1], stored, [Completion, Hour, Volume],
            new Dictionary<string, string> { ["old_completion"] = Completion.Name })!;

        Assert.Equal((1, 1, 1), (result.Kept, result.Renamed, result.Dropped));
        Assert.Equal([Hour.Name], result.Added);
        Assert.Equal([3, 4, .. new double[24], 9], result.Slots);
    }

    [Fact]
    public void A_snapshot_without_slot_counts_is_read_when_at_most_one_name_is_unknown()
    {
        double[] stored = [5, .. new double[23], 3, 4, 8, 8];
        var result = ProfileMigration.Migrate([Hour.Name, Completion.Name, "retired"], null, stored, [Completion, Hour, Volume], NoRenames)!;

        Assert.Equal((2, 0, 1), (result.Kept, result.Renamed, result.Dropped));
        Assert.Equal([Volume.Name], result.Added);
        Assert.Equal([3, 4, 5, .. new double[23], 0], result.Slots);
    }

    [Fact]
    public void A_layout_that_cannot_be_read_gives_null_so_everything_is_recomputed()
    {
        Assert.Null(ProfileMigration.Migrate(["a", "b"], null, [1, 2, 3], [Completion], NoRenames));
        Assert.Null(ProfileMigration.Migrate([Completion.Name], [3], [1, 2], [Completion], NoRenames));
    }

    [Fact]
    public void A_feature_whose_slot_count_changed_is_recomputed_not_misread()
    {
        var result = ProfileMigration.Migrate([Completion.Name], [3], [1, 2, 3], [Completion], NoRenames)!;

        Assert.Equal((0, 1), (result.Kept, result.Dropped));
        Assert.Equal([Completion.Name], result.Added);
        Assert.Equal([0, 0], result.Slots);
    }

    [Fact]
    public void The_layout_id_follows_names_and_slot_counts()
    {
        var shipped = ProfileMigration.LayoutId(ProfileFeatureRegistry.All);
        Assert.Equal(shipped, ProfileMigration.LayoutId(ProfileFeatureRegistry.All.ToArray()));
        Assert.NotEqual(shipped, ProfileMigration.LayoutId(ProfileFeatureRegistry.All.Skip(1).ToArray()));
        Assert.NotEqual(shipped, ProfileMigration.LayoutId([.. ProfileFeatureRegistry.All.Take(4), Volume with { SlotCount = 2 }]));
    }
}
