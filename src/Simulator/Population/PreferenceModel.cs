namespace Actors.Simulator.Population;

/// <summary>
/// A simulated user and the preferences the service has to discover: one category, one hour of day. Each
/// population kind (<see cref="PopulationKinds"/>) says what the two mean to it; some leave the hour unused.
/// </summary>
public sealed record SimulatedUser(string UserId, string PreferredCategory, int PreferredHour);

/// <summary>
/// The hidden truth of the population run: the chance a user completes a tip (else dismisses it) is
/// <c>BaseRate + CategoryLift·[category is the user's] + HourLift·closeness(hour, preferred hour)</c>,
/// where closeness = (1 + cos(2π·Δhour/24)) / 2 is 1 at the preferred hour and 0 twelve hours away.
/// With the defaults: 0.70 for the user's category at the user's hour, 0.05 for another category twelve hours off.
/// </summary>
public static class PreferenceModel
{
    public const double BaseRate = 0.05;
    public const double CategoryLift = 0.45;
    public const double HourLift = 0.20;

    public static double CompletionProbability(SimulatedUser user, string category, int hour) =>
        BaseRate
        + (category == user.PreferredCategory ? CategoryLift : 0)
        + HourLift * HourCloseness(hour, user.PreferredHour);

    public static double HourCloseness(int hour, int preferredHour) =>
        (1 + Math.Cos(2 * Math.PI * (hour - preferredHour) / 24.0)) / 2;

    /// <summary>Users with a preferred category and hour each drawn uniformly.</summary>
    public static SimulatedUser[] DrawUsers(int count, string idPrefix, IReadOnlyList<string> categories, Random random) =>
        Enumerable.Range(0, count).Select(i => DrawUser($"{idPrefix}{i}", categories, random)).ToArray();

    /// <summary>A preferred category, then a preferred hour, each drawn uniformly.</summary>
    public static SimulatedUser DrawUser(string userId, IReadOnlyList<string> categories, Random random) =>
        new(userId, categories[random.Next(categories.Count)], random.Next(24));
}
