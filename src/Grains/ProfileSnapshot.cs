using Actors.Learning.Profile;

namespace Actors.Grains;

/// <summary>
/// The persisted profile: the features' accumulator slots and how far into the user's log they reach.
/// Written behind the event log; events after <see cref="LastSeq"/> are replayed on activation.
/// </summary>
[GenerateSerializer, Alias("actors.ProfileSnapshot")]
public sealed class ProfileSnapshot
{
    /// <summary>Feature names the slots were laid out for; a different list means recompute.</summary>
    [Id(0)] public string[] FeatureNames { get; set; } = [];
    [Id(1)] public double[] Slots { get; set; } = [];
    [Id(2)] public long ComputedAtMs { get; set; }
    [Id(3)] public long LastSeq { get; set; }
    /// <summary>Position of the last credited reward, which links each credited reward to the one before.</summary>
    [Id(4)] public long LastRewardSeq { get; set; }

    public bool MatchesRegistry() =>
        Slots.Length == ProfileFeatureRegistry.SlotCount &&
        FeatureNames.SequenceEqual(ProfileFeatureRegistry.All.Select(f => f.Name));
}
