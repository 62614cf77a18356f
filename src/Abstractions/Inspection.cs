namespace Actors.Abstractions;

/// <summary>
/// What to inspect in a user's bandit: the candidates to estimate (category probes and catalog tips) at
/// an hour, and how many of the latest decisions and events to list.
/// </summary>
[GenerateSerializer, Immutable, Alias("actors.BanditInspectCommand")]
public sealed record BanditInspectCommand(
    [property: Id(0)] TipCandidate[] Candidates,
    [property: Id(1)] int Hour,
    [property: Id(2)] int MaxDecisions,
    [property: Id(3)] int MaxReactions);

/// <summary>The ridge model's estimate for one candidate: θᵀx and its standard deviation √(xᵀA⁻¹x).</summary>
[GenerateSerializer, Immutable, Alias("actors.CandidateEstimate")]
public sealed record CandidateEstimate(
    [property: Id(0)] string TipId,
    [property: Id(1)] double Mean,
    [property: Id(2)] double StdDev);

/// <summary>A decision the bandit remembers: who served what, with which chance.</summary>
[GenerateSerializer, Immutable, Alias("actors.InspectedDecision")]
public sealed record InspectedDecision(
    [property: Id(0)] string RequestId,
    [property: Id(1)] long AtMs,
    [property: Id(2)] string Policy,
    [property: Id(3)] string ServedTipId,
    [property: Id(4)] double Probability,
    [property: Id(5)] int Hour,
    [property: Id(6)] int Candidates,
    [property: Id(7)] string? Experiment,
    [property: Id(8)] string? Variant);

/// <summary>
/// One user's bandit as the admin page shows it. <see cref="Known"/> is false for a user with no events,
/// no decisions, no assignments and no stored model: nothing else is filled then.
/// </summary>
/// <param name="Profile">The profile the estimates were made with: the bandit's copy, as it would score now.</param>
/// <param name="Estimates">In the command's candidate order.</param>
/// <param name="RecentDecisions">Newest first; only those this activation remembers.</param>
/// <param name="RecentEvents">The user's latest logged events, newest first.</param>
[GenerateSerializer, Immutable, Alias("actors.BanditInspection")]
public sealed record BanditInspection(
    [property: Id(0)] bool Known,
    [property: Id(1)] string Policy,
    [property: Id(2)] long Updates,
    [property: Id(3)] ProfileView? Profile,
    [property: Id(4)] CandidateEstimate[] Estimates,
    [property: Id(5)] InspectedDecision[] RecentDecisions,
    [property: Id(6)] SequencedEvent[] RecentEvents,
    [property: Id(7)] Dictionary<string, string> Experiments)
{
    public static BanditInspection Unknown { get; } = new(false, "", 0, null, [], [], [], []);
}
