using Actors.Learning.Arms;
using Actors.Learning.Bandits;
using Actors.Learning.Policies;

namespace Actors.Grains;

/// <summary>
/// The persisted bandit: the model (by feature name, so it survives a change of the feature list) and
/// how far into the user's log it has learned. Rewards after that are replayed on activation.
/// </summary>
[GenerateSerializer, Alias("actors.BanditSnapshot")]
public sealed class BanditSnapshot
{
    /// <summary>The kind of reward model persisted (the policies reading it are configured, not stored).</summary>
    [Id(0)] public string Policy { get; set; } = LinUcb.Name;
    [Id(1)] public string[] FeatureNames { get; set; } = [];
    /// <summary>The d×d design matrix, row-major.</summary>
    [Id(2)] public double[] A { get; set; } = [];
    [Id(3)] public double[] B { get; set; } = [];
    [Id(4)] public long Updates { get; set; }
    /// <summary>Every reward-carrying event up to this log position has been learned from, none after it.</summary>
    [Id(5)] public long RewardsThroughSeq { get; set; }
    /// <summary>The per-tip records of the non-contextual policies, as parallel arrays.</summary>
    [Id(6)] public string[] ArmTipIds { get; set; } = [];
    [Id(7)] public long[] ArmPulls { get; set; } = [];
    [Id(8)] public double[] ArmRewards { get; set; } = [];

    /// <summary>The models as saved; an empty snapshot gives fresh ones.</summary>
    public PolicyModels ToModels(LinUcbOptions ridge)
    {
        var arms = new Dictionary<string, ArmStat>(ArmTipIds.Length, StringComparer.Ordinal);
        for (var i = 0; i < ArmTipIds.Length; i++) arms[ArmTipIds[i]] = new ArmStat(ArmPulls[i], ArmRewards[i]);
        return new PolicyModels(LinUcb.FromState(new LinUcbState(FeatureNames, A, B, Updates), ridge), arms);
    }

    public static BanditSnapshot Of(PolicyModels models, long rewardsThroughSeq)
    {
        var state = models.Ridge.ToState();
        var arms = models.Arms.ToArray();
        return new BanditSnapshot
        {
            Policy = LinUcb.Name,
            FeatureNames = state.FeatureNames,
            A = state.A,
            B = state.B,
            Updates = state.Updates,
            RewardsThroughSeq = rewardsThroughSeq,
            ArmTipIds = arms.Select(a => a.Key).ToArray(),
            ArmPulls = arms.Select(a => a.Value.Pulls).ToArray(),
            ArmRewards = arms.Select(a => a.Value.Rewards).ToArray(),
        };
    }
}
