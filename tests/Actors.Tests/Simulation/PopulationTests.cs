using Actors.Simulator.Population;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Simulation;

public sealed class PreferenceModelTests
{
    private static readonly SimulatedUser Focused = new("u", "focus", PreferredHour: 9);

    [Theory]
    [InlineData(9, 0.70)]  // base + category + the whole hour lift
    [InlineData(21, 0.50)] // twelve hours off: no hour lift
    [InlineData(15, 0.60)] // six hours off: half of it
    public void The_preferred_category_pays_the_category_lift_plus_the_hour_lift(int hour, double expected) =>
        Assert.Equal(expected, PreferenceModel.CompletionProbability(Focused, "focus", hour), 12);

    [Fact]
    public void The_preferred_category_pays_more_than_any_other_at_every_hour_and_nearer_hours_pay_more()
    {
        for (var hour = 0; hour < 24; hour++)
        {
            var preferred = PreferenceModel.CompletionProbability(Focused, "focus", hour);
            var other = PreferenceModel.CompletionProbability(Focused, "sleep", hour);
            Assert.Equal(PreferenceModel.CategoryLift, preferred - other, 12);
            Assert.InRange(other, PreferenceModel.BaseRate, PreferenceModel.BaseRate + PreferenceModel.HourLift + 1e-12);
        }
        Assert.True(PreferenceModel.CompletionProbability(Focused, "sleep", 10) > PreferenceModel.CompletionProbability(Focused, "sleep", 14));
        // The distance wraps around midnight.
        Assert.Equal(PreferenceModel.HourCloseness(23, 1), PreferenceModel.HourCloseness(1, 3), 12);
    }

    [Fact]
    public void Users_get_every_category_and_many_hours_from_the_seed()
    {
        string[] categories = ["focus", "movement", "sleep"];
        var users = PreferenceModel.DrawUsers(300, "u", categories, new Random(5));

        Assert.Equal(categories, users.Select(u => u.PreferredCategory).Distinct().Order());
        Assert.True(users.Select(u => u.PreferredHour).Distinct().Count() > 20);
        Assert.Equal(users, PreferenceModel.DrawUsers(300, "u", categories, new Random(5)));
    }

    [Fact]
    public void The_simulated_clock_starts_at_a_midnight_that_leaves_every_round_in_the_past()
    {
        var now = new DateTimeOffset(2026, 11, 26, 0, 30, 0, TimeSpan.Zero);
        foreach (var rounds in new[] { 1, 24, 25, 100 })
        {
            var start = PopulationSimulation.ClockStart(rounds, now);
            Assert.Equal(0, start.Hour);
            Assert.True(start.AddHours(rounds - 1) < now, $"{rounds} rounds end after now");
        }
    }

    [Theory]
    [InlineData("--users", "0")]
    [InlineData("--candidates", "201")]
    [InlineData("--http", "not a url")]
    [InlineData("--rounds")]
    [InlineData("--colour", "red")]
    public void Bad_options_are_refused(params string[] args) => Assert.Null(PopulationOptions.Parse(args));

    [Fact]
    public void A_policy_can_be_chosen_only_for_the_in_process_service()
    {
        Assert.Equal("thompson", PopulationOptions.Parse(["--policy", "thompson", "--users", "5"])!.Policy);
        Assert.Null(PopulationOptions.Parse(["--policy", "thompson", "--http", "http://127.0.0.1:5000"]));
    }
}

/// <summary>Population runs against the real grains in this process and against the real service over HTTP.</summary>
public sealed class PopulationRunTests
{
    [Fact]
    public async Task In_process_the_service_learns_to_beat_the_random_policy()
    {
        // 30 rounds: each user has met every hour of the day once, and the last rounds repeat hours already seen.
        var settings = new PopulationSettings(Users: 80, Rounds: 30, Candidates: 10, Seed: 11, Concurrency: 16);
        PopulationResult result;
        await using (var service = await InProcessTipService.StartAsync(new Dictionary<string, string?>(), settings.Concurrency, TestContext.Current.CancellationToken))
        {
            result = await PopulationSimulation.RunAsync(service, settings, cancellationToken: TestContext.Current.CancellationToken);
        }

        Assert.Equal("in-process", result.Mode);
        Assert.Equal("linucb-v1", result.Policy);
        Assert.Equal(Enumerable.Range(0, 30), result.Rounds.Select(r => r.Round));
        Assert.All(result.Rounds, ConsistentRound);
        // Served at random, the served tips would earn what random does; a learning service earns more.
        var last = result.LastRounds;
        Assert.True(last.ServedExpected > last.Random + 0.03,
            $"last {last.Rounds} rounds: served {last.ServedExpected:F3}, random {last.Random:F3}, oracle {last.Oracle:F3}");
        Assert.True(last.ServedExpected > result.FirstRound.ServedExpected,
            $"served {result.FirstRound.ServedExpected:F3} in the first round, {last.ServedExpected:F3} in the last ones");
    }

    [Fact]
    public async Task In_process_the_policy_option_picks_the_serving_policy()
    {
        var settings = new PopulationSettings(Users: 40, Rounds: 12, Candidates: 10, Seed: 5, Concurrency: 16);
        PopulationResult result;
        var overrides = new Dictionary<string, string?> { ["Policies:Live"] = "uniform-v1" };
        await using (var service = await InProcessTipService.StartAsync(overrides, settings.Concurrency, TestContext.Current.CancellationToken))
        {
            result = await PopulationSimulation.RunAsync(service, settings, cancellationToken: TestContext.Current.CancellationToken);
        }

        Assert.Equal("uniform-v1", result.Policy);
        // Uniform serving earns what the random baseline expects, learning or not.
        Assert.InRange(result.AllRounds.ServedExpected - result.AllRounds.Random, -0.05, 0.05);
    }

    [Fact]
    public async Task Over_http_the_same_seed_offers_the_same_candidates_and_every_reaction_reaches_the_bandit()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var settings = new PopulationSettings(Users: 12, Rounds: 4, Candidates: 8, Seed: 3, Concurrency: 8);
        await using var host = await ServiceHost.StartAsync();
        PopulationResult overHttp;
        await using (var service = new HttpTipService(host.Client.BaseAddress!, settings.Concurrency))
        {
            overHttp = await PopulationSimulation.RunAsync(service, settings, cancellationToken: cancellation);
        }
        PopulationResult inProcess;
        await using (var service = await InProcessTipService.StartAsync(new Dictionary<string, string?>(), settings.Concurrency, cancellation))
        {
            inProcess = await PopulationSimulation.RunAsync(service, settings, cancellationToken: cancellation);
        }

        Assert.Equal("http", overHttp.Mode);
        Assert.Equal("linucb-v1", overHttp.Policy);
        Assert.Equal([0, 1, 2, 3], overHttp.Rounds.Select(r => r.Hour));
        Assert.All(overHttp.Rounds, ConsistentRound);
        // The truth and the candidates come from the seed alone, so both services were offered the same.
        Assert.Equal(inProcess.Users.Select(u => (u.PreferredCategory, u.PreferredHour)), overHttp.Users.Select(u => (u.PreferredCategory, u.PreferredHour)));
        Assert.Equal(inProcess.Rounds.Select(r => r.Random), overHttp.Rounds.Select(r => r.Random));
        Assert.Equal(inProcess.Rounds.Select(r => r.Oracle), overHttp.Rounds.Select(r => r.Oracle));

        // Each round's complete or dismiss was credited to the decision (one update a round), after a view.
        foreach (var user in overHttp.Users.Take(3))
        {
            var bandit = await host.GetJsonAsync($"/users/{user.UserId}/bandit");
            Assert.Equal(settings.Rounds, bandit.Val<long>("updates"));
            var profile = await host.GetJsonAsync($"/users/{user.UserId}/profile");
            Assert.Equal(settings.Rounds, profile["features"]!.Val<double>("tip_volume_30d"));
        }
    }

    /// <summary>The served tip is one of the candidates, so its truth lies between the worst and the best of them.</summary>
    private static void ConsistentRound(RoundResult round)
    {
        Assert.InRange(round.ServedExpected, PreferenceModel.BaseRate, round.Oracle + 1e-12);
        Assert.InRange(round.Random, PreferenceModel.BaseRate, round.Oracle + 1e-12);
        Assert.InRange(round.Oracle, 0, 1);
        Assert.InRange(round.ServedRealised, 0, 1);
        Assert.Equal(round.Round % 24, round.Hour);
    }
}
