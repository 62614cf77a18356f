using System.Net;
using System.Text.Json.Nodes;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Api;

/// <summary>The rest of the public surface: profile schema, health, OpenAPI, and profiles built from feedback.</summary>
public sealed class SurfaceTests(SharedHostFixture fixture) : IClassFixture<SharedHostFixture>
{
    private static readonly string[] FeatureNames = ["completion_rate_30d", "dismiss_rate_30d", "mean_dwell_ms_30d", "preferred_hour", "tip_volume_30d"];

    private static readonly Dictionary<string, double> Defaults = new()
    {
        ["completion_rate_30d"] = 0,
        ["dismiss_rate_30d"] = 0,
        ["mean_dwell_ms_30d"] = 0,
        ["preferred_hour"] = -1,
        ["tip_volume_30d"] = 0,
    };

    private ServiceHost Host => fixture.Host;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_profile_schema_lists_the_five_features_with_their_dtypes()
    {
        var features = (await Host.GetJsonAsync("/profile/schema"))["features"]!.AsArray();

        Assert.Equal(FeatureNames, features.Select(f => f!.Str("name")).ToArray());
        Assert.Equal(["float64", "float64", "float64", "int64", "int64"], features.Select(f => f!.Str("dtype")).ToArray());
        Assert.Equal(Defaults.Values, features.Select(f => f!.Val<double>("default")).ToArray());
        Assert.All(features, f => Assert.Equal("30d", f!.Str("window")));
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_healthy(string path)
    {
        using var response = await Host.Client.GetAsync(path, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_score_and_feedback()
    {
        var document = await Host.GetJsonAsync("/openapi/v1.json");

        Assert.StartsWith("3.", document.Str("openapi"));
        var paths = document["paths"]!.AsObject();
        Assert.NotNull(paths["/score"]?["post"]);
        Assert.NotNull(paths["/feedback"]?["post"]);
        Assert.NotNull(paths["/users/{user_id}/profile"]?["get"]);
        Assert.NotNull(paths["/tips/{tip_id}"]?["put"]);
    }

    [Fact]
    public async Task A_new_user_has_the_default_profile()
    {
        var profile = await Host.GetJsonAsync("/users/s-new/profile");

        Assert.Equal("s-new", profile.Str("user_id"));
        Assert.Equal(Defaults, Features(profile));
        Assert.False(profile.Val<bool>("stale"));
        Assert.True(DateTimeOffset.TryParse(profile.Str("computed_at"), out _));
    }

    [Fact]
    public async Task The_profile_reflects_views_completes_and_dismisses()
    {
        var expected = await SendStandardEventsAsync(Host, "s-profile");

        var profile = await Host.GetJsonAsync("/users/s-profile/profile");

        Assert.Equal(expected, Features(profile));
        Assert.False(profile.Val<bool>("stale"));
    }

    [Fact]
    public async Task Scoring_after_feedback_uses_the_updated_profile()
    {
        var expected = await SendStandardEventsAsync(Host, "s-score");

        var score = await Host.PostJsonAsync("/score", new { user_id = "s-score", candidates = new[] { "sleep-01", "focus-01" }, context = new { hour = 9 } });

        Assert.Equal(expected, Features(score, "profile_features"));
    }

    /// <summary>With a TTL of zero every read recomputes from the event tables, so this checks the SQL path.</summary>
    [Fact]
    public async Task The_profile_recomputed_from_the_event_store_gives_the_same_values()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?> { ["Profile:Ttl"] = "00:00:00" });
        var expected = await SendStandardEventsAsync(host, "s-sql");

        var profile = await host.GetJsonAsync("/users/s-sql/profile");

        Assert.Equal(expected, Features(profile));
    }

    [Fact]
    public async Task A_repeated_event_id_is_a_duplicate_and_changes_nothing()
    {
        var first = await Host.PostJsonAsync("/feedback", new { event_id = "s-dup-1", user_id = "s-dup", tip_id = "sleep-01", kind = "view", dwell_ms = 1200 });
        Assert.False(first.Val<bool>("duplicate"));
        Assert.True(first.Val<bool>("accepted"));
        var profile = Features(await Host.GetJsonAsync("/users/s-dup/profile"));
        Assert.Equal(1, profile["tip_volume_30d"]);
        Assert.Equal(1200, profile["mean_dwell_ms_30d"]);

        var again = await Host.PostJsonAsync("/feedback", new { event_id = "s-dup-1", user_id = "s-dup", tip_id = "sleep-01", kind = "view", dwell_ms = 1200 });
        var otherKind = await Host.PostJsonAsync("/feedback", new { event_id = "s-dup-1", user_id = "s-dup", tip_id = "sleep-01", kind = "complete" });

        Assert.True(again.Val<bool>("duplicate"));
        Assert.True(again.Val<bool>("accepted"));
        Assert.True(otherKind.Val<bool>("duplicate"));
        Assert.Equal(profile, Features(await Host.GetJsonAsync("/users/s-dup/profile")));
        Assert.Equal(1, ValidationDb.Scalar(Host.DataDirectory, "SELECT COUNT(*) FROM event_ids WHERE event_id = 's-dup-1'"));
        Assert.Equal(1, ValidationDb.Scalar(Host.DataDirectory, "SELECT COUNT(*) FROM tip_views WHERE event_id = 's-dup-1'"));
        Assert.Equal(0, ValidationDb.Scalar(Host.DataDirectory, "SELECT COUNT(*) FROM tip_feedback WHERE event_id = 's-dup-1'"));
    }

    [Fact]
    public async Task An_event_id_reused_by_another_user_is_a_duplicate_too()
    {
        var first = await Host.PostJsonAsync("/feedback", new { event_id = "s-shared-1", user_id = "s-owner", tip_id = "sleep-01", kind = "view", dwell_ms = 500 });
        Assert.False(first.Val<bool>("duplicate"));

        var other = await Host.PostJsonAsync("/feedback", new { event_id = "s-shared-1", user_id = "s-intruder", tip_id = "focus-01", kind = "view", dwell_ms = 9000 });

        Assert.True(other.Val<bool>("duplicate"));
        Assert.Equal(Defaults, Features(await Host.GetJsonAsync("/users/s-intruder/profile")));
        var owner = Features(await Host.GetJsonAsync("/users/s-owner/profile"));
        Assert.Equal(1, owner["tip_volume_30d"]);
        Assert.Equal(500, owner["mean_dwell_ms_30d"]);
        Assert.Equal(["s-owner"], ValidationDb.Strings(Host.DataDirectory, "SELECT user_id FROM event_ids WHERE event_id = 's-shared-1'"));
        Assert.Equal(0, ValidationDb.Scalar(Host.DataDirectory, "SELECT COUNT(*) FROM event_ids WHERE user_id = 's-intruder'"));
    }

    /// <summary>
    /// Four views (dwell 1000, 3000, none, 2000), three completes (two at 15h UTC, one at 7h, yesterday; one
    /// carrying a dwell that must not count) and one dismiss. By hand: 4 views; 3/4 completed; 1/4 dismissed;
    /// mean dwell (1000 + 3000 + 2000) / 3 = 2000; preferred hour 15.
    /// </summary>
    private static async Task<Dictionary<string, double>> SendStandardEventsAsync(ServiceHost host, string userId)
    {
        var yesterday = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1), TimeSpan.Zero);
        string At(int hour, int minute) => yesterday.AddHours(hour).AddMinutes(minute).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        object[] events =
        [
            new { event_id = $"{userId}-v1", user_id = userId, tip_id = "sleep-01", kind = "view", dwell_ms = 1000 },
            new { event_id = $"{userId}-v2", user_id = userId, tip_id = "focus-01", kind = "view", dwell_ms = 3000 },
            new { event_id = $"{userId}-v3", user_id = userId, tip_id = "sleep-02", kind = "view" },
            new { event_id = $"{userId}-v4", user_id = userId, tip_id = "focus-02", kind = "view", dwell_ms = 2000 },
            new { event_id = $"{userId}-c1", user_id = userId, tip_id = "sleep-01", kind = "complete", at = At(15, 20), dwell_ms = 99_999 },
            new { event_id = $"{userId}-c2", user_id = userId, tip_id = "focus-01", kind = "complete", at = At(15, 40) },
            new { event_id = $"{userId}-c3", user_id = userId, tip_id = "focus-02", kind = "complete", at = At(7, 10) },
            new { event_id = $"{userId}-d1", user_id = userId, tip_id = "sleep-02", kind = "dismiss" },
        ];
        foreach (var e in events)
        {
            var receipt = await host.PostJsonAsync("/feedback", e);
            Assert.False(receipt.Val<bool>("duplicate"));
        }
        return new Dictionary<string, double>
        {
            ["completion_rate_30d"] = 3.0 / 4,
            ["dismiss_rate_30d"] = 1.0 / 4,
            ["mean_dwell_ms_30d"] = 2000,
            ["preferred_hour"] = 15,
            ["tip_volume_30d"] = 4,
        };
    }

    private static Dictionary<string, double> Features(JsonNode response, string member = "features") =>
        response[member]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<double>());
}
