namespace Actors.Abstractions;

/// <summary>One /score request as the bandit grain receives it.</summary>
/// <param name="ProfileFeatures">Caller-supplied profile values in registry order, or null to use the user's profile grain.</param>
[GenerateSerializer, Immutable, Alias("actors.ScoreCommand")]
public sealed record ScoreCommand(
    [property: Id(0)] string RequestId,
    [property: Id(1)] TipCandidate[] Candidates,
    [property: Id(2)] int Hour,
    [property: Id(3)] double[]? ProfileFeatures,
    [property: Id(4)] long AtMs);

[GenerateSerializer, Immutable, Alias("actors.RankedTip")]
public sealed record RankedTip(
    [property: Id(0)] string TipId,
    [property: Id(1)] double Score,
    [property: Id(2)] double Probability);

/// <summary>
/// The served ranking: <see cref="Ranked"/> in serving order, the first being the chosen tip, by the named
/// policy; with the experiment and variant that chose that policy when one runs.
/// </summary>
[GenerateSerializer, Immutable, Alias("actors.ScoreResult")]
public sealed record ScoreResult(
    [property: Id(0)] string RequestId,
    [property: Id(1)] string Policy,
    [property: Id(2)] RankedTip[] Ranked,
    [property: Id(3)] double[] ProfileFeatures,
    [property: Id(4)] string? Experiment = null,
    [property: Id(5)] string? Variant = null);

/// <summary>What a user's bandit has learned, for inspection: the ridge model's weights, how many tips have a record, and the user's experiment variants.</summary>
[GenerateSerializer, Immutable, Alias("actors.BanditSummary")]
public sealed record BanditSummary(
    [property: Id(0)] string Policy,
    [property: Id(1)] string[] FeatureNames,
    [property: Id(2)] long Updates,
    [property: Id(3)] long RewardsThroughSeq,
    [property: Id(4)] Dictionary<string, double> Weights,
    [property: Id(5)] Dictionary<string, string> Experiments,
    [property: Id(6)] int TipsWithRecords);
