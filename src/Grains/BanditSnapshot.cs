using Actors.Learning.Bandits;

namespace Actors.Grains;

/// <summary>
/// The persisted bandit: the model (by feature name, so it survives a change of the feature list) and
/// which of the user's log positions it has learned from. Events after that are replayed on activation.
/// </summary>
[GenerateSerializer, Alias("actors.BanditSnapshot")]
public sealed class BanditSnapshot
{
    [Id(0)] public string Policy { get; set; } = LinUcb.Name;
    [Id(1)] public string[] FeatureNames { get; set; } = [];
    /// <summary>The d×d design matrix, row-major.</summary>
    [Id(2)] public double[] A { get; set; } = [];
    [Id(3)] public double[] B { get; set; } = [];
    [Id(4)] public long Updates { get; set; }
    [Id(5)] public long AppliedThroughSeq { get; set; }
    [Id(6)] public long[] AppliedAheadSeqs { get; set; } = [];
}
