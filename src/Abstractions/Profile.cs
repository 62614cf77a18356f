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
    [property: Id(5)] long AtMs);

/// <summary>
/// The outcome of recording a batch of one user's events: each event's position in the user's log, in
/// request order (0 for an event id accepted before, which was not written again), and the profile after them.
/// </summary>
[GenerateSerializer, Immutable, Alias("actors.RecordedEvents")]
public sealed record RecordedEvents(
    [property: Id(0)] long[] UserSeqs,
    [property: Id(1)] ProfileView Profile);

/// <summary>An event with its position in the user's log.</summary>
[GenerateSerializer, Immutable, Alias("actors.SequencedEvent")]
public sealed record SequencedEvent(
    [property: Id(0)] long UserSeq,
    [property: Id(1)] FeedbackEvent Event);

/// <summary>Events that are durably in the user's log, passed on to the user's bandit with the profile after them.</summary>
[GenerateSerializer, Immutable, Alias("actors.ObservedEvents")]
public sealed record ObservedEvents(
    [property: Id(0)] SequencedEvent[] Events,
    [property: Id(1)] ProfileView Profile);
