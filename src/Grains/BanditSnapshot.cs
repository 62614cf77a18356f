using Actors.Learning.Arms;
using Actors.Learning.Bandits;
using Actors.Learning.Policies;

namespace Actors.Grains;

/// <summary>One change of the feature configuration a stored model went through, as its snapshot records it.</summary>
[GenerateSerializer, Alias("actors.ModelVersion")]
public sealed class ModelVersion
{
    [Id(0)] public long AtMs { get; set; }
    /// <summary>The feature configuration before (<see cref="BanditSnapshot.LegacyFeatureSet"/> for models stored before configurations had ids).</summary>
    [Id(1)] public string From { get; set; } = "";
    [Id(2)] public string To { get; set; } = "";
    [Id(3)] public int Kept { get; set; }
    [Id(4)] public int Renamed { get; set; }
    [Id(5)] public int Dropped { get; set; }
    /// <summary>Groups and profile features of the new configuration, readable.</summary>
    [Id(6)] public string Description { get; set; } = "";
}

/// <summary>
/// The persisted bandit: the model (by feature name, so it survives a change of the feature list) and
/// how far into the user's log it has learned. Rewards after that are replayed on activation.
/// </summary>
[GenerateSerializer, Alias("actors.BanditSnapshot")]
public sealed class BanditSnapshot
{
    /// <summary>What a model stored before feature configurations had ids was built for: every group but the tip's own term.</summary>
    public const string LegacyFeatureSet = "legacy";

    /// <summary>The kind of reward model persisted (the policies reading it are configured, not stored).</summary>
    [Id(0)] public string Policy { get; set; } = "linucb";
    [Id(1)] public string[] FeatureNames { get; set; } = [];
    /// <summary>The d×d design matrix, row-major: diag(prior precision) + Σxxᵀ.</summary>
    [Id(2)] public double[] A { get; set; } = [];
    /// <summary>Σrx, the data's part of b (the prior's part follows the current population prior).</summary>
    [Id(3)] public double[] B { get; set; } = [];
    [Id(4)] public long Updates { get; set; }
    /// <summary>Every reward-carrying event up to this log position has been learned from, none after it.</summary>
    [Id(5)] public long RewardsThroughSeq { get; set; }
    /// <summary>The per-tip records of the non-contextual policies, as parallel arrays.</summary>
    [Id(6)] public string[] ArmTipIds { get; set; } = [];
    [Id(7)] public long[] ArmPulls { get; set; } = [];
    [Id(8)] public double[] ArmRewards { get; set; } = [];
    /// <summary>The prior precision each feature entered the model with; null in snapshots from before the population prior (then λ).</summary>
    [Id(9)] public double[]? PriorPrecision { get; set; }
    /// <summary>The <see cref="BanditFeatureSet.Id"/> the model was built for; null in snapshots from before (<see cref="LegacyFeatureSet"/>).</summary>
    [Id(10)] public string? FeatureSet { get; set; }
    /// <summary>Every migration the model went through, oldest first.</summary>
    [Id(11)] public ModelVersion[] History { get; set; } = [];

    public bool IsEmpty => FeatureNames.Length == 0 && ArmTipIds.Length == 0 && Updates == 0;

    /// <summary>
    /// The models as saved, carried over to <paramref name="features"/> when they were built for another
    /// configuration (then <paramref name="migration"/> is the record to append). An empty snapshot gives fresh
    /// models. Throws <see cref="InvalidDataException"/> when the stored model is not a usable one.
    /// </summary>
    public PolicyModels ToModels(LinUcbOptions ridge, BanditFeatureSet features, PopulationPrior prior, long nowMs, out ModelVersion? migration)
    {
        migration = null;
        var state = new LinUcbState(FeatureNames, A, B, Updates, PriorPrecision);
        var builtFor = FeatureSet ?? LegacyFeatureSet;
        if (!IsEmpty && builtFor != features.Id)
        {
            (state, var summary) = ModelMigration.Migrate(state, features, ridge.Lambda);
            migration = new ModelVersion
            {
                AtMs = nowMs, From = builtFor, To = features.Id, Kept = summary.Kept, Renamed = summary.Renamed, Dropped = summary.Dropped,
                Description = $"groups={string.Join(',', features.Groups)}; profile={string.Join(',', features.ProfileFeatures)}",
            };
        }
        var arms = new Dictionary<string, ArmStat>(ArmTipIds.Length, StringComparer.Ordinal);
        for (var i = 0; i < ArmTipIds.Length; i++) arms[ArmTipIds[i]] = new ArmStat(ArmPulls[i], ArmRewards[i]);
        return new PolicyModels(LinUcb.FromState(state, ridge, prior), arms, features);
    }

    public static BanditSnapshot Of(PolicyModels models, long rewardsThroughSeq, IReadOnlyList<ModelVersion> history)
    {
        var state = models.Ridge.ToState();
        var arms = models.Arms.ToArray();
        return new BanditSnapshot
        {
            FeatureNames = state.FeatureNames,
            A = state.A,
            B = state.B,
            Updates = state.Updates,
            RewardsThroughSeq = rewardsThroughSeq,
            ArmTipIds = arms.Select(a => a.Key).ToArray(),
            ArmPulls = arms.Select(a => a.Value.Pulls).ToArray(),
            ArmRewards = arms.Select(a => a.Value.Rewards).ToArray(),
            PriorPrecision = state.PriorPrecision,
            FeatureSet = models.Features.Id,
            History = history.ToArray(),
        };
    }
}
