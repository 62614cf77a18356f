namespace Actors.Simulator.Population;

/// <summary>
/// One run's shape. <paramref name="Population"/> names the hidden truth (<see cref="PopulationKinds"/>);
/// <paramref name="RunId"/> prefixes user and event ids: null draws a fresh one, so a second run against the
/// same running service meets new users; a fixed one makes an in-process run reproducible.
/// </summary>
public sealed record PopulationSettings(
    int Users, int Rounds, int Candidates, int Seed, int Concurrency, string Population = PopulationKinds.Default, string? RunId = null);

/// <summary>
/// One round over all users. Served* are means over the served tips (realised: the drawn completions;
/// expected: their completion probability under the truth); Random is the mean truth over the offered
/// candidates (what serving one at random earns), Oracle the best candidate's truth.
/// </summary>
public sealed record RoundResult(int Round, int Hour, double ServedRealised, double ServedExpected, double Random, double Oracle)
{
    public static RoundResult Of(int round, int hour, IReadOnlyCollection<UserOutcome> outcomes) => new(round, hour,
        outcomes.Average(o => o.Reaction.Completed ? 1.0 : 0.0),
        outcomes.Average(o => o.Expected),
        outcomes.Average(o => o.Random),
        outcomes.Average(o => o.Oracle));
}

/// <summary>Means over a run of rounds, and how much of the random-to-oracle gap the served tips closed.</summary>
public sealed record PhaseSummary(int Rounds, double ServedRealised, double ServedExpected, double Random, double Oracle, double? GapClosed)
{
    public static PhaseSummary Of(IReadOnlyCollection<RoundResult> rounds)
    {
        var served = rounds.Average(r => r.ServedExpected);
        var random = rounds.Average(r => r.Random);
        var oracle = rounds.Average(r => r.Oracle);
        return new PhaseSummary(rounds.Count, rounds.Average(r => r.ServedRealised), served, random, oracle,
            oracle - random > 1e-12 ? (served - random) / (oracle - random) : null);
    }
}

public sealed record PopulationResult(
    string Mode, string Policy, PopulationSettings Settings, IReadOnlyList<SimulatedUser> Users, IReadOnlyList<RoundResult> Rounds)
{
    public const int LastRoundsCount = 5;

    public PhaseSummary FirstRound => PhaseSummary.Of(Rounds.Take(1).ToArray());

    public PhaseSummary LastRounds => PhaseSummary.Of(Rounds.TakeLast(LastRoundsCount).ToArray());

    public PhaseSummary AllRounds => PhaseSummary.Of(Rounds.ToArray());
}

/// <summary>
/// Simulated users with hidden preferences (a <see cref="IPopulationTruth"/>, by default <see cref="PreferenceModel"/>)
/// ask the service to rank a few catalog tips each round, are served the first of its ranking, and complete
/// or dismiss it by the truth. Round r happens at hour r of a simulated clock (<see cref="ClockStart"/>).
/// </summary>
public static class PopulationSimulation
{
    public static async Task<PopulationResult> RunAsync(
        ITipService service, PopulationSettings settings, Action? userRoundDone = null, CancellationToken cancellationToken = default)
    {
        var run = await PopulationRun.StartAsync(service, settings, cancellationToken);
        var users = run.AddUsers(settings.Users, "u");
        var rounds = new List<RoundResult>(settings.Rounds);
        for (var round = 0; round < settings.Rounds; round++)
        {
            var outcomes = await run.RoundAsync(round, users, userRoundDone, cancellationToken);
            rounds.Add(RoundResult.Of(round, run.HourOf(round), outcomes));
        }
        return new PopulationResult(service.Mode, run.Policies, settings, run.Users, rounds);
    }

    /// <summary>
    /// A midnight (UTC) far enough back that every round's events lie in the past, as the service requires:
    /// round r is at hour r mod 24 whatever the time of the run, so runs with the same seed compare.
    /// </summary>
    public static DateTimeOffset ClockStart(int rounds, DateTimeOffset now) =>
        new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-Math.Ceiling(rounds / 24.0));
}
