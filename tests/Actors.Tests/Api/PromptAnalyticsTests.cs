using Actors.Silo.EventStore;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Api;

/// <summary>The Wilson interval, and GET /admin/analytics/prompts over real HTTP on a host of its own.</summary>
public sealed class PromptAnalyticsTests
{
    private const double Tolerance = 1e-4;

    // By hand, z = 1.959964, z² = 3.841459:
    //   5/10: z²/n = 0.384146, centre = (0.5 + 0.192073) / 1.384146 = 0.5,
    //         half = 1.959964 · √(0.025 + 0.009604) / 1.384146 = 0.263407 → (0.236593, 0.763407).
    //   10/10: centre = 1.192073 / 1.384146 = 0.861233, half = 1.959964 · √0.009604 / 1.384146 = 0.138767
    //          → (0.722467, 1).
    //   0/10: the mirror image of 10/10 → (0, 0.277533).
    //   1/1:  z²/n = 3.841459, centre = (1 + 1.920729) / 4.841459 = 0.603274, half = 1.959964 · √0.960365 / 4.841459
    //         = 0.396726 → (0.206549, 1).
    [Theory]
    [InlineData(0, 0, 0.0, 0.0)]
    [InlineData(5, 10, 0.236593, 0.763407)]
    [InlineData(10, 10, 0.722467, 1.0)]
    [InlineData(0, 10, 0.0, 0.277533)]
    [InlineData(1, 1, 0.206549, 1.0)]
    [InlineData(50, 100, 0.403832, 0.596168)]
    public void Wilson_interval_matches_values_computed_by_hand(long successes, long trials, double low, double high)
    {
        var (actualLow, actualHigh) = PromptAnalytics.WilsonInterval(successes, trials);

        Assert.Equal(low, actualLow, Tolerance);
        Assert.Equal(high, actualHigh, Tolerance);
    }

    [Fact]
    public void Wilson_interval_clamps_successes_to_trials_and_rejects_negatives()
    {
        Assert.Equal(PromptAnalytics.WilsonInterval(10, 10), PromptAnalytics.WilsonInterval(12, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PromptAnalytics.WilsonInterval(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PromptAnalytics.WilsonInterval(1, -10));
    }

    [Fact]
    public async Task Prompt_analytics_counts_generated_shown_completed_dismissed_and_dwell_per_version()
    {
        await using var host = await ServiceHost.StartAsync();
        var eventCounter = 0;

        async Task<string> GenerateAsync(string userId, string version) =>
            (await host.PostJsonAsync("/generate", new { user_id = userId, prompt_version = version, context = new { hour = 9 } })).Str("tip_id");

        // Serves the tip (the only candidate, so it is chosen), then a view and optionally a complete or dismiss.
        async Task ServeAsync(string userId, string tipId, long? dwellMs, string? reaction)
        {
            var score = await host.PostJsonAsync("/score", new { user_id = userId, candidates = new[] { tipId } });
            Assert.Equal(tipId, score.Str("chosen_tip_id"));
            var requestId = score.Str("request_id");
            await host.PostJsonAsync("/feedback", new { event_id = $"pa-ev-{++eventCounter}", user_id = userId, tip_id = tipId, kind = "view", dwell_ms = dwellMs, request_id = requestId });
            if (reaction is not null)
            {
                await host.PostJsonAsync("/feedback", new { event_id = $"pa-ev-{++eventCounter}", user_id = userId, tip_id = tipId, kind = reaction, request_id = requestId });
            }
        }

        // v1: three tips, all served; dwell 1000, 2000, 3000 and one view without dwell; 2 completes, 1 dismiss.
        var v1a = await GenerateAsync("pa-user-1", "v1");
        var v1b = await GenerateAsync("pa-user-2", "v1");
        var v1c = await GenerateAsync("pa-user-3", "v1");
        await ServeAsync("pa-user-1", v1a, 1000, "complete");
        await ServeAsync("pa-user-2", v1b, 2000, "complete");
        await ServeAsync("pa-user-3", v1c, 3000, "dismiss");
        await host.PostJsonAsync("/feedback", new { event_id = $"pa-ev-{++eventCounter}", user_id = "pa-user-3", tip_id = v1c, kind = "view" });

        // v2: three tips, two served (dwell 500 and 1500); 1 complete, 1 dismiss; the third never served.
        var v2a = await GenerateAsync("pa-user-4", "v2");
        var v2b = await GenerateAsync("pa-user-5", "v2");
        await GenerateAsync("pa-user-6", "v2");
        await ServeAsync("pa-user-4", v2a, 500, "complete");
        await ServeAsync("pa-user-5", v2b, 1500, "dismiss");

        // A catalog tip served and completed: no prompt version, so counted nowhere. Its acknowledged
        // feedback also means every decision queued before it is written (the log is one FIFO queue).
        await ServeAsync("pa-user-7", "sleep-01", 4000, "complete");

        var analytics = await host.GetJsonAsync("/admin/analytics/prompts");
        var entries = analytics["prompt_versions"]!.AsArray().ToDictionary(e => e!.Str("prompt_version"), e => e!);

        var registered = (await host.GetJsonAsync("/prompts"))["prompt_versions"]!.AsArray().Select(p => p!.Str("version")).ToArray();
        Assert.Equal(registered.Order(StringComparer.Ordinal), entries.Keys.Order(StringComparer.Ordinal));

        AssertStats(entries["v1"], generated: 3, shown: 3, completed: 2, dismissed: 1, meanDwellMs: 2000);
        AssertStats(entries["v2"], generated: 3, shown: 2, completed: 1, dismissed: 1, meanDwellMs: 1000);
        foreach (var entry in entries.Where(e => e.Key is not ("v1" or "v2")).Select(e => e.Value))
        {
            AssertStats(entry, generated: 0, shown: 0, completed: 0, dismissed: 0, meanDwellMs: 0);
            Assert.Equal(0.0, entry.Val<double>("ci_low"));
            Assert.Equal(0.0, entry.Val<double>("ci_high"));
        }
        // Every served decision except the catalog tip's is attributed to a version.
        Assert.Equal(6, ValidationDb.Scalar(host.DataDirectory, "SELECT COUNT(*) FROM tip_scores"));
        Assert.Equal(5, entries.Values.Sum(e => e.Val<long>("shown")));
    }

    private static void AssertStats(System.Text.Json.Nodes.JsonNode entry, long generated, long shown, long completed, long dismissed, double meanDwellMs)
    {
        Assert.Equal(generated, entry.Val<long>("generated"));
        Assert.Equal(shown, entry.Val<long>("shown"));
        Assert.Equal(completed, entry.Val<long>("completed"));
        Assert.Equal(dismissed, entry.Val<long>("dismissed"));
        Assert.Equal(meanDwellMs, entry.Val<double>("mean_dwell_ms"), Tolerance);
        Assert.Equal(0, entry.Val<long>("tokens"));

        var rate = entry.Val<double>("completion_rate");
        Assert.Equal(shown == 0 ? 0 : (double)completed / shown, rate, Tolerance);
        var (low, high) = PromptAnalytics.WilsonInterval(completed, shown);
        Assert.Equal(low, entry.Val<double>("ci_low"), Tolerance);
        Assert.Equal(high, entry.Val<double>("ci_high"), Tolerance);
        Assert.InRange(rate, entry.Val<double>("ci_low"), entry.Val<double>("ci_high"));
        if (shown > 0) Assert.True(entry.Val<double>("ci_low") < entry.Val<double>("ci_high"));
    }
}
