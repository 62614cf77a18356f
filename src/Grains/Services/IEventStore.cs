using Actors.Abstractions;
using Actors.Grains.Policies;
using Actors.Learning.Profile;

namespace Actors.Grains.Services;

/// <summary>An accepted event as it stands in the user's log.</summary>
/// <param name="UserSeq">1, 2, 3, ... within one user: the position grains replay from.</param>
public sealed record LoggedEvent(string UserId, long UserSeq, FeedbackEvent Event);

/// <summary>
/// One served decision, in serving order, as the decision log keeps it. <see cref="Probabilities"/> are the
/// serving policy's, so the first is the chance the served tip had.
/// </summary>
public sealed record DecisionRecord(
    string RequestId,
    string UserId,
    string Policy,
    int Hour,
    double[] ProfileFeatures,
    TipCandidate[] Candidates,
    double[] Probabilities,
    long CreatedAtMs,
    string? PromptVersion,
    string? Experiment = null,
    string? Variant = null,
    ShadowDecision[]? Shadows = null);

/// <summary>
/// What a shadow policy would have done: its own pick and that pick's probability, and the probability it
/// gave the tip actually served (what an off-policy estimate of the shadow weighs the observed reward by).
/// </summary>
public sealed record ShadowDecision(string Policy, string TipId, double Probability, double ServedProbability);

/// <summary>
/// A logged decision whose served tip was credited, with every credited reaction to it (on the served tip or
/// another candidate: one per tip, from the user it served, the first one), in log order.
/// </summary>
/// <param name="ServedTipId">The tip served, as logged: <see cref="DecisionRecord.Candidates"/> no longer starts with it when it was deleted from the catalog since.</param>
public sealed record RewardedDecision(DecisionRecord Decision, string ServedTipId, IReadOnlyList<FeedbackEvent> Rewards);

/// <summary>
/// What became of a batch of one user's events, per event in order: its position in the user's log (0 for an
/// event id accepted before, which was not written again), and whether it took its decision's credit: a
/// complete or dismiss from the user the decision served, on a tip it offered, and the first such reaction to
/// that decision and tip. Only credited events teach the bandit or count in analytics.
/// </summary>
public sealed record AppendedEvents(long[] UserSeqs, bool[] Credited);

/// <summary>One generation call's usage, attributed to the prompt version it rendered.</summary>
public sealed record UsageRecord(string PromptVersion, string Provider, string Model, int InputTokens, int OutputTokens, double? Cost, long AtMs);

/// <summary>
/// The durable record of what happened: user events (the source of truth the grains snapshot behind)
/// and decisions. Writes are group-committed, so many concurrent appends share one transaction.
/// </summary>
public interface IEventStore
{
    /// <summary>
    /// Appends one user's events in order; completes once they are durable. Each new event takes the next
    /// position from <paramref name="nextSeq"/> on; an event whose id was accepted before (by any user, of
    /// any kind) is not written and gets 0, so the user's positions stay gapless. Whether each event took its
    /// decision's credit is decided in the same transaction.
    /// </summary>
    Task<AppendedEvents> AppendEventsAsync(string userId, long nextSeq, FeedbackEvent[] events);


    /// <summary>
    /// Queues a decision for the log without waiting. The log is one ordered queue, so a decision is
    /// durable no later than any event appended after this call returns.
    /// </summary>
    void AppendDecision(DecisionRecord decision);

    /// <summary>Records a user's experiment assignment (replacing one made under another salt); completes once durable.</summary>
    Task AppendAssignmentAsync(ExperimentAssignment assignment);

    /// <summary>The user's experiment assignments, one per experiment.</summary>
    Task<IReadOnlyList<ExperimentAssignment>> ReadAssignmentsAsync(string userId);

    /// <summary>Queues a generation call's usage for the log without waiting.</summary>
    void AppendUsage(UsageRecord usage);

    /// <summary>The user's events with a user_seq above <paramref name="afterSeq"/>, in order; only the credited rewards when asked.</summary>
    Task<IReadOnlyList<LoggedEvent>> ReadUserEventsAsync(string userId, long afterSeq, bool rewardsOnly = false);

    /// <summary>The highest user_seq in the user's log (0 for none).</summary>
    Task<long> LastUserSeqAsync(string userId);

    /// <summary>The user's latest events, newest first: which tip, and what the user did with it.</summary>
    Task<IReadOnlyList<(string TipId, EventKind Kind)>> RecentReactionsAsync(string userId, int limit);

    /// <summary>The highest user_seq of a credited reward in the user's log (0 for none).</summary>
    Task<long> LastRewardSeqAsync(string userId);

    /// <summary>Runs every feature's SQL aggregation for the user's window ending at <paramref name="nowMs"/>.</summary>
    Task<ProfileAccumulator> AggregateProfileAsync(string userId, long nowMs);

    /// <summary>A logged decision by request id (catalog candidates resolved through the catalog), or null.</summary>
    Task<DecisionRecord?> FindDecisionAsync(string requestId);

    /// <summary>
    /// The latest <paramref name="maxDecisions"/> decisions (by created_at) whose served tip was credited, each
    /// with its credited reactions, ordered by user, then time: the input of offline evaluation.
    /// </summary>
    Task<IReadOnlyList<RewardedDecision>> ReadRewardedDecisionsAsync(int maxDecisions, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes the user's events (tip_views, tip_feedback, event_ids) in the writer, after everything queued
    /// before, with their bytes overwritten; answers the rows removed per table. Only the user's profile grain,
    /// their events' one writer, calls it.
    /// </summary>
    Task<ErasureReport> EraseUserEventsAsync(string userId);

    /// <summary>
    /// Deletes the user's decisions (tip_scores) and experiment assignments in the writer, after every decision
    /// queued before, and adds the decisions' request ids to the tombstone (erased_requests), so feedback naming
    /// one is refused from then on. Only the user's bandit grain, their decisions' one writer, calls it.
    /// </summary>
    Task<ErasureReport> EraseUserDecisionsAsync(string userId);

    /// <summary>Those of <paramref name="requestIds"/> that named decisions of erased users.</summary>
    Task<IReadOnlyList<string>> FindErasedRequestsAsync(IReadOnlyCollection<string> requestIds);

    /// <summary>Everything the log holds about the user, in log and time order, for their export.</summary>
    Task<UserRecords> ReadUserRecordsAsync(string userId);

    /// <summary>Users with at least one event, in ordinal order, after <paramref name="afterUserId"/> (null: from the first): one page of every stored user.</summary>
    Task<IReadOnlyList<string>> ReadUserIdsAsync(string? afterUserId, int limit);
}

/// <summary>
/// Thrown by <see cref="IEventStore.AppendEventsAsync"/> when an event names the request id of an erased
/// decision: none of the call's events was written.
/// </summary>
public sealed class ErasedRequestException(string requestId)
    : Exception($"request_id '{requestId}' named a decision that was erased with its user's data; feedback on it is refused.")
{
    public string RequestId { get; } = requestId;
}

/// <summary>A user's rows in the log: events with when they were received, decisions as logged, experiment assignments.</summary>
public sealed record UserRecords(
    IReadOnlyList<ExportedEvent> Events,
    IReadOnlyList<ExportedDecision> Decisions,
    IReadOnlyList<ExperimentAssignment> Assignments);

public sealed record ExportedEvent(long UserSeq, FeedbackEvent Event, long ReceivedAtMs);

/// <summary>A tip_scores row; the JSON columns as stored (their layout is documented in EventStore.sql).</summary>
public sealed record ExportedDecision(
    string RequestId,
    long CreatedAtMs,
    string Policy,
    string ChosenTipId,
    int Hour,
    string CandidatesJson,
    string FeaturesJson,
    string? ShadowsJson,
    string? PromptVersion,
    string? Experiment,
    string? Variant);

public static class EventStoreExtensions
{
    /// <summary>Appends one event at its position; false when its id was accepted before.</summary>
    public static async Task<bool> AppendEventAsync(this IEventStore store, LoggedEvent logged) =>
        (await store.AppendEventsAsync(logged.UserId, logged.UserSeq, [logged.Event])).UserSeqs[0] != 0;
}
