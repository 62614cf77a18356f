namespace Actors.Grains;

/// <summary>
/// The clock of the Actors grains and their services (profile TTL, feature ages, staleness), registered as
/// a keyed <see cref="TimeProvider"/>. It defaults to the host's clock; tests replace it alone with a fake
/// they advance, leaving Orleans' and Kestrel's own timers on the real one.
/// </summary>
public static class GrainClock
{
    public const string Key = "actors-grains";

    public static long NowMs(this TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();
}
