using Actors.Learning.Profile;

namespace Actors.Grains;

/// <summary>
/// The persisted profile: the features' accumulator slots and how far into the user's log they reach.
/// Written behind the event log; events after <see cref="LastSeq"/> are replayed on activation.
/// </summary>
[GenerateSerializer, Alias("actors.ProfileSnapshot")]
public sealed class ProfileSnapshot
{
    /// <summary>Feature names the slots were laid out for; a different list is migrated by name (see <see cref="ProfileMigration"/>).</summary>
    [Id(0)] public string[] FeatureNames { get; set; } = [];
    [Id(1)] public double[] Slots { get; set; } = [];
    [Id(2)] public long ComputedAtMs { get; set; }
    [Id(3)] public long LastSeq { get; set; }
    /// <summary>Position of the last credited reward, which links each credited reward to the one before.</summary>
    [Id(4)] public long LastRewardSeq { get; set; }
    /// <summary>Slots of each feature in <see cref="FeatureNames"/>; null in snapshots from before (then inferred from the registry).</summary>
    [Id(5)] public int[]? SlotCounts { get; set; }
    /// <summary>The <see cref="ProfileMigration.LayoutId"/> the slots were laid out for; null in snapshots from before (<see cref="BanditSnapshot.LegacyFeatureSet"/>).</summary>
    [Id(6)] public string? FeatureSet { get; set; }
    /// <summary>Every migration of the layout, oldest first.</summary>
    [Id(7)] public ModelVersion[] History { get; set; } = [];

    public bool MatchesRegistry() =>
        Slots.Length == ProfileFeatureRegistry.SlotCount &&
        FeatureNames.SequenceEqual(ProfileFeatureRegistry.All.Select(f => f.Name));
}
