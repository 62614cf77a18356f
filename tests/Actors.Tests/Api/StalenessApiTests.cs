using System.Net;
using System.Text.Json.Nodes;
using Actors.Grains;
using Actors.Grains.Staleness;
using Actors.Silo;
using Actors.Tests.Grains;
using Actors.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Actors.Tests.Api;

/// <summary>GET /admin/staleness and GET /admin/users/{id} on the real host, with the grains' clock in the test's hand.</summary>
public sealed class StalenessApiTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly FakeLogCollector _logs = new();

    private Task<ServiceHost> StartAsync(IDictionary<string, string?>? overrides = null) =>
        ServiceHost.StartAsync(overrides, configure: builder =>
        {
            builder.Services.AddKeyedSingleton<TimeProvider>(GrainClock.Key, _clock);
            builder.Logging.AddProvider(new FakeLoggerProvider(_logs));
        });

    private static string EventDatabase(ServiceHost host) => ActorsSilo.BindStorage(host.App.Configuration).EventDatabasePath;

    [Fact]
    public async Task A_refresh_failing_on_the_real_database_is_listed_raises_its_alert_and_is_logged_once()
    {
        await using var host = await StartAsync(new Dictionary<string, string?>
        {
            ["Profile:Staleness:Warning:StaleShare"] = "0.4",
            ["Profile:Staleness:Critical:StaleShare"] = "0.9",
        });
        foreach (var user in new[] { "stale-a", "stale-b" })
        {
            await host.PostJsonAsync("/feedback", new { event_id = $"{user}-1", user_id = user, tip_id = "focus-01", kind = "view", dwell_ms = 900 });
        }
        var calm = await host.GetJsonAsync("/admin/staleness");
        Assert.Equal(2, calm.Val<int>("tracked_users"));
        Assert.Equal(0, calm.Val<int>("stale_users"));
        Assert.Empty(calm["alerts"]!.AsArray());
        Assert.Equal(0.0, calm["feature_age_seconds"]!.Val<double>("max"));

        var monitor = host.App.Services.GetRequiredService<StalenessMonitor>();
        await using (new UnreadableTable(EventDatabase(host)))
        {
            _clock.Advance(TimeSpan.FromMinutes(6));   // past the five-minute TTL: the next read refreshes
            var profile = await host.GetJsonAsync("/users/stale-a/profile");
            Assert.True(profile.Val<bool>("stale"));

            var report = await host.GetJsonAsync("/admin/staleness");
            Assert.Equal(2, report.Val<int>("tracked_users"));
            Assert.Equal(1, report.Val<int>("stale_users"));
            Assert.Equal(1, report.Val<int>("refresh_failed_users"));
            Assert.Equal(360.0, report["feature_age_seconds"]!.Val<double>("max"));
            var stalest = report["stalest_users"]!.AsArray()[0]!;
            Assert.Equal("stale-a", stalest.Str("user_id"));
            Assert.Equal(StaleReasons.RefreshFailed, stalest.Str("reason"));
            var failure = Assert.Single(report["recent_refresh_failures"]!.AsArray())!;
            Assert.Equal("stale-a", failure.Str("user_id"));
            Assert.Contains("no such table: tip_views", failure.Str("error"));
            Assert.DoesNotContain("Exception", failure.Str("error"));
            var alert = Assert.Single(report["alerts"]!.AsArray())!;
            Assert.Equal(("warning", "stale_share", 0.5, 0.4), (alert.Str("level"), alert.Str("rule"), alert.Val<double>("value"), alert.Val<double>("threshold")));

            // Checked twice (and perhaps by the background watch too): one crossing, one warning.
            await monitor.CheckAsync();
            await monitor.CheckAsync();
            Assert.Single(Crossings());
        }

        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.False((await host.GetJsonAsync("/users/stale-a/profile")).Val<bool>("stale"));
        var recovered = await monitor.CheckAsync();
        Assert.Empty(recovered.Alerts);
        Assert.Equal(0, recovered.Stale);
        Assert.Single(Crossings());
    }

    [Fact]
    public async Task A_user_inspection_shows_features_with_age_what_the_bandit_favours_and_the_history()
    {
        // LinUCB with α = 1 serves, so a served score is the estimate plus one standard deviation.
        await using var host = await StartAsync(new Dictionary<string, string?> { ["Policies:Live"] = "linucb-v1" });
        var requests = new List<string>();
        for (var round = 0; round < 5; round++)
        {
            var score = await host.PostJsonAsync("/score", new { user_id = "inspect-me", candidates = new[] { "focus-01", "sleep-01" }, context = new { hour = 9 } });
            var requestId = score.Str("request_id");
            requests.Add(requestId);
            await host.PostJsonAsync("/feedback", new[]
            {
                new { event_id = $"in-{round}-v", user_id = "inspect-me", tip_id = "focus-01", kind = "view", request_id = requestId },
                new { event_id = $"in-{round}-c", user_id = "inspect-me", tip_id = "focus-01", kind = "complete", request_id = requestId },
                new { event_id = $"in-{round}-d", user_id = "inspect-me", tip_id = "sleep-01", kind = "dismiss", request_id = requestId },
            });
        }
        _clock.Advance(TimeSpan.FromMinutes(2));

        var user = await host.GetJsonAsync("/admin/users/inspect-me?hour=9&top=5");

        Assert.Equal(10, user.Val<long>("updates"));
        var volume = user["features"]!["tip_volume_30d"]!;
        Assert.Equal(5, volume.Val<double>("value"));
        Assert.Equal(120.0, volume.Val<double>("age_seconds"));
        Assert.Equal(9, user.Val<int>("hour"));

        var categories = user["favoured_categories"]!.AsArray().Select(c => c!).ToArray();
        Assert.Equal("focus", categories[0].Str("category"));
        var sleep = categories.Single(c => c.Str("category") == "sleep");
        var untried = categories.Single(c => c.Str("category") == "movement");
        Assert.True(sleep.Val<double>("estimate") < categories[0].Val<double>("estimate"));
        Assert.True(categories[0].Val<double>("std_dev") < untried.Val<double>("std_dev"), "rewards shrink the uncertainty of what they touched");
        var tips = user["favoured_tips"]!.AsArray();
        Assert.Equal(5, tips.Count);
        Assert.Equal("focus", tips[0]!.Str("category"));

        Assert.Equal(Enumerable.Reverse(requests), user["recent_decisions"]!.AsArray().Select(d => d!.Str("request_id")));
        var reactions = user["recent_reactions"]!.AsArray();
        Assert.Equal(15, reactions.Count);
        Assert.Equal(("in-4-d", "dismiss"), (reactions[0]!.Str("event_id"), reactions[0]!.Str("kind")));
        Assert.Empty(user["experiments"]!.AsObject());

        var staleness = user["staleness"]!;
        Assert.True(staleness.Val<bool>("tracked"));
        Assert.False(staleness.Val<bool>("stale"));
        Assert.Equal(120.0, staleness.Val<double>("age_seconds"));

        // The same model, profile and hour through /score: θᵀx + 1·√(xᵀA⁻¹x) for each of the two tips.
        var all = (await host.GetJsonAsync("/admin/users/inspect-me?hour=9&top=100"))["favoured_tips"]!.AsArray().ToDictionary(t => t!.Str("tip_id"), t => t!);
        var ranked = (await host.PostJsonAsync("/score", new { user_id = "inspect-me", candidates = new[] { "focus-01", "sleep-01" }, context = new { hour = 9 } }))["ranked"]!.AsArray();
        foreach (var tip in ranked)
        {
            var inspected = all[tip!.Str("tip_id")];
            Assert.Equal(tip!.Val<double>("score"), inspected.Val<double>("estimate") + inspected.Val<double>("std_dev"), 1e-9);
        }
    }

    [Fact]
    public async Task An_unknown_user_is_a_404_that_activates_no_profile_and_bad_parameters_are_named()
    {
        await using var host = await StartAsync();

        var missing = await host.GetJsonAsync("/admin/users/nobody-here", HttpStatusCode.NotFound);
        Assert.NotNull(missing["errors"]!["user_id"]);
        Assert.Null(await host.App.Services.GetRequiredService<StalenessMonitor>().FindAsync("nobody-here"));
        Assert.Equal(0, (await host.GetJsonAsync("/admin/staleness")).Val<int>("tracked_users"));

        using var response = await host.Client.GetAsync("/admin/users/nobody-here?top=0&hour=24", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await ServiceHost.ReadAsync(response, HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.Equal(["hour", "top"], errors.Select(e => e.Key).Order());
    }

    [Theory]
    [InlineData("Profile:StaleAfter", "00:04:00", "must be longer than Profile:Ttl")]
    [InlineData("Profile:Staleness:Critical:StaleShare", "0.01", "Critical must not be below")]
    [InlineData("Profile:Staleness:Warning:StaleShare", "0", "Warning:StaleShare must be in (0, 1]")]
    [InlineData("Profile:Staleness:MaxTrackedUsers", "0", "MaxTrackedUsers")]
    public async Task Bad_staleness_settings_stop_the_start(string key, string value, string message)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ServiceHost.StartAsync(new Dictionary<string, string?> { [key] = value }));
        Assert.Contains(message, error.Message);
    }

    private IEnumerable<FakeLogRecord> Crossings() =>
        _logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning && r.Message.Contains("crossed into"));
}
