namespace Actors.Simulator.Population;

public sealed record PopulationSettings(int Users, int Rounds, int Candidates, int Seed, int Concurrency);

/// <summary>
/// One round over all users. Served* are means over the served tips (realised: the drawn completions;
/// expected: their completion probability under the truth); Random is the mean truth over the offered
/// candidates (what serving one at random earns), Oracle the best candidate's truth.
/// </summary>
public sealed record RoundResult(int Round, int Hour, double ServedRealised, double ServedExpected, double Random, double Oracle);

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
/// Simulated users with hidden preferences (<see cref="PreferenceModel"/>) ask the service to rank a few
/// catalog tips each round, are served the first of its ranking, and complete or dismiss it by the truth.
/// Round r happens at hour r of a simulated clock (<see cref="ClockStart"/>).
/// </summary>
public static class PopulationSimulation
{
    public static async Task<PopulationResult> RunAsync(
        ITipService service, PopulationSettings settings, Action? userRoundDone = null, CancellationToken cancellationToken = default)
    {
        // In id order, so the same seed draws the same candidates whichever way the catalog was listed.
        var catalog = (await service.CatalogAsync(cancellationToken)).OrderBy(t => t.TipId, StringComparer.Ordinal).ToArray();
        if (catalog.Length < settings.Candidates)
        {
            throw new InvalidOperationException($"The catalog has {catalog.Length} tips; {settings.Candidates} candidates were asked for.");
        }
        var categoryOf = catalog.ToDictionary(t => t.TipId, t => t.Category, StringComparer.Ordinal);
        var categories = catalog.Select(t => t.Category).Distinct().Order(StringComparer.Ordinal).ToArray();

        var seeded = new Random(settings.Seed);
        // Ids unique per run, so a second run against the same service meets fresh users and event ids.
        var runId = Guid.NewGuid().ToString("N")[..8];
        var users = PreferenceModel.DrawUsers(settings.Users, $"sim-{runId}-u", categories, seeded);
        // One generator per user: the draws do not depend on the order in which concurrent users finish.
        var randoms = users.Select(_ => new Random(seeded.Next())).ToArray();

        var start = ClockStart(settings.Rounds, DateTimeOffset.UtcNow);
        var policies = new HashSet<string>(StringComparer.Ordinal);
        var rounds = new List<RoundResult>(settings.Rounds);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = settings.Concurrency, CancellationToken = cancellationToken };

        for (var round = 0; round < settings.Rounds; round++)
        {
            var at = start.AddHours(round);
            var hour = at.Hour;
            var outcomes = new UserOutcome[users.Length];
            await Parallel.ForEachAsync(Enumerable.Range(0, users.Length), parallel, async (i, token) =>
            {
                var user = users[i];
                var offered = Sample(catalog, settings.Candidates, randoms[i]);
                var served = await service.ScoreAsync(user.UserId, offered.Select(t => t.TipId).ToArray(), hour, at, token);
                if (!categoryOf.TryGetValue(served.TipId, out var servedCategory) || offered.All(t => t.TipId != served.TipId))
                {
                    throw new InvalidOperationException($"The service served '{served.TipId}', which was not offered to {user.UserId}.");
                }
                var truths = offered.Select(t => PreferenceModel.CompletionProbability(user, t.Category, hour)).ToArray();
                var expected = PreferenceModel.CompletionProbability(user, servedCategory, hour);
                var completed = randoms[i].NextDouble() < expected;
                outcomes[i] = new UserOutcome(served.Policy, expected, truths.Average(), truths.Max(),
                    new Reaction(user.UserId, served.TipId, served.RequestId, completed, at, $"{user.UserId}-r{round}"));
                userRoundDone?.Invoke();
            });
            await service.SendAsync(outcomes.Select(o => o.Reaction).ToArray(), cancellationToken);

            foreach (var outcome in outcomes) policies.Add(outcome.Policy);
            rounds.Add(new RoundResult(round, hour,
                outcomes.Average(o => o.Reaction.Completed ? 1.0 : 0.0),
                outcomes.Average(o => o.Expected),
                outcomes.Average(o => o.Random),
                outcomes.Average(o => o.Oracle)));
        }
        return new PopulationResult(service.Mode, string.Join(",", policies.Order(StringComparer.Ordinal)), settings, users, rounds);
    }

    /// <summary>
    /// A midnight (UTC) far enough back that every round's events lie in the past, as the service requires:
    /// round r is at hour r mod 24 whatever the time of the run, so runs with the same seed compare.
    /// </summary>
    public static DateTimeOffset ClockStart(int rounds, DateTimeOffset now) =>
        new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-Math.Ceiling(rounds / 24.0));

    /// <summary>Distinct tips drawn uniformly (a partial Fisher-Yates shuffle).</summary>
    private static CatalogEntry[] Sample(IReadOnlyList<CatalogEntry> catalog, int count, Random random)
    {
        var pool = catalog.ToArray();
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, pool.Length);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..count];
    }

    private sealed record UserOutcome(string Policy, double Expected, double Random, double Oracle, Reaction Reaction);
}
