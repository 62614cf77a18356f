using Actors.Learning.Profile;

namespace Actors.Abstractions;

/// <summary>A user's profile feature values, in <see cref="ProfileFeatureRegistry.All"/> order.</summary>
/// <param name="ComputedAtMs">When the values were last recomputed from the event store (Unix ms).</param>
/// <param name="Stale">True when the values are older than the TTL because a refresh failed.</param>
[GenerateSerializer, Immutable, Alias("actors.ProfileView")]
public sealed record ProfileView(
    [property: Id(0)] double[] Values,
    [property: Id(1)] long ComputedAtMs,
    [property: Id(2)] bool Stale);

/// <summary>A feedback event as the gateway accepted it.</summary>
[GenerateSerializer, Immutable, Alias("actors.FeedbackEvent")]
public sealed record FeedbackEvent(
    [property: Id(0)] string EventId,
    [property: Id(1)] string TipId,
    [property: Id(2)] EventKind Kind,
    [property: Id(3)] string? RequestId,
    [property: Id(4)] long? DwellMs,
    [property: Id(5)] long AtMs)
{
    /// <summary>A complete or dismiss that names the decision it answers: what the bandit learns from.</summary>
    public bool CarriesReward => Kind != EventKind.View && RequestId is not null;
}

/// <summary>
/// The outcome of recording a batch of one user's events: each event's position in the user's log, in
/// request order (0 for an event id accepted before, which was not written again), the profile after
/// them, the position of the last credited reward before the batch (0 for none), and whether each event
/// took its decision's credit (the first complete or dismiss from the user the decision served, on a tip
/// it offered: the only events the bandit learns from). When an event named the request id of an erased
/// decision, <see cref="RefusedRequestId"/> names it and none of the events was written.
/// </summary>
[GenerateSerializer, Immutable, Alias("actors.RecordedEvents")]
public sealed record RecordedEvents(
    [property: Id(0)] long[] UserSeqs,
    [property: Id(1)] ProfileView Profile,
    [property: Id(2)] long PreviousRewardSeq,
    [property: Id(3)] bool[] Credited,
    [property: Id(4)] string? RefusedRequestId = null);

/// <summary>An event with its position in the user's log.</summary>
[GenerateSerializer, Immutable, Alias("actors.SequencedEvent")]
public sealed record SequencedEvent(
    [property: Id(0)] long UserSeq,
    [property: Id(1)] FeedbackEvent Event);

/// <summary>
/// Credited rewards that are durably in the user's log, in log order, passed on to the user's bandit with
/// the profile after them. <see cref="PreviousRewardSeq"/> links them to the credited reward before, so the
/// bandit sees when one went missing and reads it from the log.
/// </summary>
[GenerateSerializer, Immutable, Alias("actors.ObservedEvents")]
public sealed record ObservedEvents(
    [property: Id(0)] SequencedEvent[] Events,
    [property: Id(1)] ProfileView Profile,
    [property: Id(2)] long PreviousRewardSeq);
