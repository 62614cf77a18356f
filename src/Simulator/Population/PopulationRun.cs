namespace Actors.Simulator.Population;

/// <summary>One user's round: the policy that served, the served tip's truth, the random and oracle baselines, and the reaction.</summary>
public sealed record UserOutcome(string Policy, double Expected, double Random, double Oracle, Reaction Reaction);

/// <summary>
/// One run against one service: the catalog, the hidden truth, and the users drawn so far, who may join in
/// cohorts (the cold-start run brings new users in after the others have learned). Everything random comes
/// from <see cref="PopulationSettings.Seed"/>: the truth, then each cohort's users and their own generators.
/// </summary>
public sealed class PopulationRun
{
    private readonly ITipService _service;
    private readonly PopulationSettings _settings;
    private readonly CatalogEntry[] _catalog;
    private readonly Random _seeded;
    private readonly string _idPrefix;
    private readonly DateTimeOffset _start;
    private readonly List<SimulatedUser> _users = [];
    // One generator per user: the draws do not depend on the order in which concurrent users finish.
    private readonly List<Random> _randoms = [];
    private readonly HashSet<string> _policies = new(StringComparer.Ordinal);

    private PopulationRun(ITipService service, PopulationSettings settings, CatalogEntry[] catalog)
    {
        _service = service;
        _settings = settings;
        _catalog = catalog;
        _seeded = new Random(settings.Seed);
        Truth = PopulationKinds.Draw(settings.Population, catalog, _seeded);
        // Ids unique per run unless fixed, so a second run against the same service meets fresh users and event ids.
        _idPrefix = $"sim-{settings.RunId ?? Guid.NewGuid().ToString("N")[..8]}-";
        _start = PopulationSimulation.ClockStart(settings.Rounds, DateTimeOffset.UtcNow);
    }

    public IPopulationTruth Truth { get; }

    public IReadOnlyList<SimulatedUser> Users => _users;

    /// <summary>The policies that served so far, comma-separated.</summary>
    public string Policies => string.Join(",", _policies.Order(StringComparer.Ordinal));

    public static async Task<PopulationRun> StartAsync(ITipService service, PopulationSettings settings, CancellationToken cancellationToken)
    {
        // In id order, so the same seed draws the same candidates whichever way the catalog was listed.
        var catalog = (await service.CatalogAsync(cancellationToken)).OrderBy(t => t.TipId, StringComparer.Ordinal).ToArray();
        if (catalog.Length < settings.Candidates)
        {
            throw new InvalidOperationException($"The catalog has {catalog.Length} tips; {settings.Candidates} candidates were asked for.");
        }
        return new PopulationRun(service, settings, catalog);
    }

    public int HourOf(int round) => _start.AddHours(round).Hour;

    /// <summary>Draws <paramref name="count"/> new users (ids <c>sim-RUN-COHORTi</c>); returns their indices.</summary>
    public int[] AddUsers(int count, string cohort)
    {
        var first = _users.Count;
        for (var i = 0; i < count; i++) _users.Add(Truth.DrawUser($"{_idPrefix}{cohort}{i}", _seeded));
        for (var i = 0; i < count; i++) _randoms.Add(new Random(_seeded.Next()));
        return Enumerable.Range(first, count).ToArray();
    }

    /// <summary>Each of the users asks once at the round's hour and reacts; returns once the service has the reactions.</summary>
    public async Task<UserOutcome[]> RoundAsync(int round, IReadOnlyList<int> users, Action? userRoundDone, CancellationToken cancellationToken)
    {
        var at = _start.AddHours(round);
        var hour = at.Hour;
        var outcomes = new UserOutcome[users.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _settings.Concurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, users.Count), parallel, async (i, token) =>
        {
            var user = _users[users[i]];
            var random = _randoms[users[i]];
            var offered = Sample(_catalog, _settings.Candidates, random);
            var served = await _service.ScoreAsync(user.UserId, offered.Select(t => t.TipId).ToArray(), hour, at, token);
            var servedTip = offered.FirstOrDefault(t => t.TipId == served.TipId)
                ?? throw new InvalidOperationException($"The service served '{served.TipId}', which was not offered to {user.UserId}.");
            var truths = offered.Select(t => Truth.CompletionProbability(user, t, hour)).ToArray();
            var expected = Truth.CompletionProbability(user, servedTip, hour);
            var completed = random.NextDouble() < expected;
            outcomes[i] = new UserOutcome(served.Policy, expected, truths.Average(), truths.Max(),
                new Reaction(user.UserId, served.TipId, served.RequestId, completed, at, $"{user.UserId}-r{round}"));
            userRoundDone?.Invoke();
        });
        await _service.SendAsync(outcomes.Select(o => o.Reaction).ToArray(), cancellationToken);
        foreach (var outcome in outcomes) _policies.Add(outcome.Policy);
        return outcomes;
    }

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
}
