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

/// <summary>The outcome of recording an event: whether it was already known, its place in the user's log, and the profile after it.</summary>
[GenerateSerializer, Immutable, Alias("actors.FeedbackReceipt")]
public sealed record FeedbackReceipt(
    [property: Id(0)] bool Duplicate,
    [property: Id(1)] long UserSeq,
    [property: Id(2)] ProfileView Profile);

/// <summary>An event that is durably in the user's log, passed on to the user's bandit.</summary>
[GenerateSerializer, Immutable, Alias("actors.ObservedEvent")]
public sealed record ObservedEvent(
    [property: Id(0)] long UserSeq,
    [property: Id(1)] FeedbackEvent Event,
    [property: Id(2)] ProfileView Profile);
