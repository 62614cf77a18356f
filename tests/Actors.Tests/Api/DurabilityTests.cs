using Actors.Tests.Infrastructure;

namespace Actors.Tests.Api;

/// <summary>Acknowledged data survives restarts and kill -9, and an event counts once across them.</summary>
public sealed class DurabilityTests
{
    private static readonly string[] Candidates = ["sleep-01", "focus-01", "movement-01", "hydration-01"];

    [Fact]
    public async Task Learned_state_and_profile_survive_a_restart()
    {
        await using var host = await ServiceHost.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            var score = await host.PostJsonAsync("/score", new { user_id = "restart-user", candidates = Candidates, context = new { hour = 7 } });
            var chosen = score.Str("chosen_tip_id");
            await host.PostJsonAsync("/feedback", new { event_id = $"rv-{i}", user_id = "restart-user", tip_id = chosen, kind = "view", dwell_ms = 100 * i, request_id = score.Str("request_id") });
            await host.PostJsonAsync("/feedback", new { event_id = $"rc-{i}", user_id = "restart-user", tip_id = chosen, kind = i % 2 == 0 ? "complete" : "dismiss", request_id = score.Str("request_id") });
        }
        var bandit = await host.GetJsonAsync("/users/restart-user/bandit");
        var profile = await host.GetJsonAsync("/users/restart-user/profile");
        Assert.Equal(10, bandit.Val<long>("updates"));

        await host.RestartAsync();

        var banditAfter = await host.GetJsonAsync("/users/restart-user/bandit");
        var profileAfter = await host.GetJsonAsync("/users/restart-user/profile");
        Assert.Equal(bandit.Val<long>("updates"), banditAfter.Val<long>("updates"));
        // A restored model rebuilds A⁻¹ by Cholesky rather than by the running Sherman–Morrison updates: equal to rounding.
        var weightsAfter = banditAfter["weights"]!.AsObject();
        Assert.Equal(bandit["weights"]!.AsObject().Count, weightsAfter.Count);
        foreach (var (name, weight) in bandit["weights"]!.AsObject()) Assert.Equal(weight!.GetValue<double>(), weightsAfter[name]!.GetValue<double>(), 9);
        Assert.Equal(profile["features"]!.ToJsonString(), profileAfter["features"]!.ToJsonString());
        var duplicate = await host.PostJsonAsync("/feedback", new { event_id = "rc-3", user_id = "restart-user", tip_id = "sleep-01", kind = "complete" });
        Assert.True(duplicate.Val<bool>("duplicate"));
    }

    [Fact]
    public async Task Acknowledged_events_survive_kill_9_and_still_count_once()
    {
        var dataDirectory = TempDirectory.Create("actors-kill");
        try
        {
            const int users = 8, rounds = 25;
            var acknowledged = new List<(string User, object Body)>();
            await using (var service = await ServiceProcess.StartAsync(dataDirectory))
            {
                await Parallel.ForAsync(0, users, async (u, _) =>
                {
                    for (var r = 0; r < rounds; r++)
                    {
                        var user = $"kill-user-{u}";
                        var score = await service.PostJsonAsync("/score", new { user_id = user, candidates = Candidates });
                        var chosen = score.Str("chosen_tip_id");
                        var view = new { event_id = $"k-{u}-{r}-v", user_id = user, tip_id = chosen, kind = "view", dwell_ms = 500, request_id = score.Str("request_id") };
                        var complete = new { event_id = $"k-{u}-{r}-c", user_id = user, tip_id = chosen, kind = "complete", request_id = score.Str("request_id") };
                        foreach (var body in new object[] { view, complete })
                        {
                            var answer = await service.PostJsonAsync("/feedback", body);
                            Assert.False(answer.Val<bool>("duplicate"));
                            lock (acknowledged) acknowledged.Add((user, body));
                        }
                    }
                });
                // No graceful shutdown: grain snapshots, queued writes and caches die with the process.
                service.Kill();
            }

            await using var restarted = await ServiceProcess.StartAsync(dataDirectory);
            for (var u = 0; u < users; u++)
            {
                var profile = await restarted.GetJsonAsync($"/users/kill-user-{u}/profile");
                Assert.Equal(rounds, profile["features"]!.Val<double>("tip_volume_30d"));
                Assert.Equal(1.0, profile["features"]!.Val<double>("completion_rate_30d"));
                var bandit = await restarted.GetJsonAsync($"/users/kill-user-{u}/bandit");
                Assert.Equal(rounds, bandit.Val<long>("updates"));
            }
            foreach (var (_, body) in acknowledged)
            {
                var answer = await restarted.PostJsonAsync("/feedback", body);
                Assert.True(answer.Val<bool>("duplicate"));
            }
            var unchanged = await restarted.GetJsonAsync("/users/kill-user-0/profile");
            Assert.Equal(rounds, unchanged["features"]!.Val<double>("tip_volume_30d"));
        }
        finally
        {
            TempDirectory.Delete(dataDirectory);
        }
    }
}
