namespace Actors.Grains.Staleness;

/// <summary>Why a user counts as stale.</summary>
public static class StaleReasons
{
    /// <summary>The last refresh from the event store failed; the features are the last ones computed.</summary>
    public const string RefreshFailed = "refresh_failed";

    /// <summary>The features were last computed longer ago than Profile:StaleAfter.</summary>
    public const string TooOld = "older_than_stale_after";
}

/// <summary>One tracked user's features: when they were last computed from the event store, and the error of a failed refresh since.</summary>
[GenerateSerializer, Immutable, Alias("actors.TrackedProfile")]
public sealed record TrackedProfile(
    [property: Id(0)] string UserId,
    [property: Id(1)] long ComputedAtMs,
    [property: Id(2)] long AgeMs,
    [property: Id(3)] string? Reason,
    [property: Id(4)] string? Error)
{
    public bool Stale => Reason is not null;
}

[GenerateSerializer, Immutable, Alias("actors.RefreshFailure")]
public sealed record RefreshFailure(
    [property: Id(0)] long AtMs,
    [property: Id(1)] string UserId,
    [property: Id(2)] string Error);

/// <summary>
/// One silo's figures at <see cref="AtMs"/>. The ages travel as a histogram's recorded (value, count) pairs,
/// so reports of many silos merge into exact cluster-wide counts and percentiles to HdrHistogram's precision.
/// </summary>
[GenerateSerializer, Immutable, Alias("actors.SiloStaleness")]
public sealed record SiloStaleness(
    [property: Id(0)] long AtMs,
    [property: Id(1)] int Tracked,
    [property: Id(2)] int Stale,
    [property: Id(3)] int RefreshFailed,
    [property: Id(4)] long Dropped,
    [property: Id(5)] long[] AgeValuesMs,
    [property: Id(6)] long[] AgeCounts,
    [property: Id(7)] long MaxAgeMs,
    [property: Id(8)] TrackedProfile[] Stalest,
    [property: Id(9)] RefreshFailure[] RecentFailures,
    [property: Id(10)] long FailuresTotal);
