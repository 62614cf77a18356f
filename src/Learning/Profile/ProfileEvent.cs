namespace Actors.Learning.Profile;

/// <summary>What a user did with a tip. The wire names are the lower-case member names.</summary>
public enum EventKind
{
    View = 0,
    Complete = 1,
    Dismiss = 2,
}

/// <summary>One user event as the profile features see it: what happened, when, and the dwell of a view.</summary>
/// <param name="AtMs">Event time in Unix milliseconds (UTC).</param>
/// <param name="DwellMs">Dwell of a view in milliseconds; null when the client sent none.</param>
public readonly record struct ProfileEvent(EventKind Kind, long AtMs, long? DwellMs);
