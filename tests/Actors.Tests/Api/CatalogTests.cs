using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Api;

/// <summary>GET /tips and PUT /tips/{tip_id}: the seeded catalog, adding and replacing tips, and that they last.</summary>
public sealed partial class CatalogTests(SharedHostFixture fixture) : IClassFixture<SharedHostFixture>
{
    private ServiceHost Host => fixture.Host;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_seeded_catalog_lists_at_least_40_tips_across_at_least_6_categories()
    {
        var listed = (await Host.ListTipsAsync());
        // Other tests of this class may have added tips through the API by now; count the seeded ones.
        var tips = listed.Where(t => t!.Str("source") == "seed").ToArray();

        Assert.True(tips.Length >= 40, $"{tips.Length} seeded tips listed");
        var categories = tips.Select(t => t!.Str("category")).Distinct().ToArray();
        Assert.True(categories.Length >= 6, $"{categories.Length} categories: {string.Join(", ", categories)}");
        Assert.All(categories, c => Assert.Matches(CategorySlug(), c));
        Assert.Equal(listed.Count, listed.Select(t => t!.Str("tip_id")).Distinct().Count());
        Assert.All(tips, t => Assert.False(string.IsNullOrWhiteSpace(t!.Str("text"))));
        Assert.All(listed, t => Assert.Contains(t!.Str("source"), new[] { "seed", "api" }));
    }

    [Fact]
    public async Task A_new_tip_is_created_listed_and_can_be_scored_by_id()
    {
        // Not in the catalog yet: scoring it by id is a validation error.
        using (var before = await Host.Client.PostAsJsonAsync("/score", new { user_id = "c-score", candidates = new[] { "c-new-1" } }, Cancel))
        {
            Assert.Equal(HttpStatusCode.BadRequest, before.StatusCode);
        }

        var (status, location, created) = await PutAsync("c-new-1", new { text = "Hum a tune for a minute.", category = "music", features = new { tempo = 0.4, effort = 0.1 } });

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("/tips/c-new-1", location);
        Assert.Equal("c-new-1", created.Str("tip_id"));
        Assert.Equal("Hum a tune for a minute.", created.Str("text"));
        Assert.Equal("music", created.Str("category"));
        Assert.Equal("api", created.Str("source"));
        Assert.Equal(0.4, created["features"]!.Val<double>("tempo"));
        Assert.Equal(0.1, created["features"]!.Val<double>("effort"));

        var listed = await FindAsync("c-new-1");
        Assert.NotNull(listed);
        Assert.Equal("Hum a tune for a minute.", listed.Str("text"));
        Assert.Equal("music", listed.Str("category"));
        Assert.Equal(0.4, listed["features"]!.Val<double>("tempo"));

        var alone = await Host.PostJsonAsync("/score", new { user_id = "c-score", candidates = new[] { "c-new-1" } });
        Assert.Equal("c-new-1", alone.Str("chosen_tip_id"));
        var mixed = await Host.PostJsonAsync("/score", new { user_id = "c-score", candidates = new[] { "sleep-01", "c-new-1", "focus-01" } });
        Assert.Equal(["c-new-1", "focus-01", "sleep-01"], mixed["ranked"]!.AsArray().Select(r => r!.Str("tip_id")).Order().ToArray());
    }

    [Fact]
    public async Task Putting_a_tip_again_replaces_it_and_keeps_its_created_at()
    {
        var (firstStatus, _, first) = await PutAsync("c-replace-1", new { text = "Drink a glass of water.", category = "hydration", features = new { effort = 0.1 } });
        Assert.Equal(HttpStatusCode.Created, firstStatus);
        var countAfterCreate = (await Host.ListTipsAsync()).Count;

        var (secondStatus, _, second) = await PutAsync("c-replace-1", new { text = "Drink two glasses of water.", category = "nutrition", features = new { effort = 0.2 } });

        Assert.Equal(HttpStatusCode.OK, secondStatus);
        Assert.Equal("Drink two glasses of water.", second.Str("text"));
        Assert.Equal("nutrition", second.Str("category"));
        Assert.Equal(0.2, second["features"]!.Val<double>("effort"));
        Assert.Equal(first.Str("created_at"), second.Str("created_at"));
        Assert.True(DateTimeOffset.Parse(second.Str("updated_at")) >= DateTimeOffset.Parse(first.Str("created_at")));

        var tips = (await Host.ListTipsAsync());
        Assert.Equal(countAfterCreate, tips.Count);
        var listed = Assert.Single(tips, t => t!.Str("tip_id") == "c-replace-1")!;
        Assert.Equal("Drink two glasses of water.", listed.Str("text"));
        Assert.Equal("nutrition", listed.Str("category"));
        Assert.Equal(first.Str("created_at"), listed.Str("created_at"));

        // The table holds the replacement too, under the original creation time.
        Assert.Equal(1, ValidationDb.Scalar(Host.DataDirectory,
            "SELECT COUNT(*) FROM tips WHERE tip_id = 'c-replace-1' AND text = 'Drink two glasses of water.' AND category = 'nutrition' AND created_at_ms = @created",
            ("@created", DateTimeOffset.Parse(first.Str("created_at")).ToUnixTimeMilliseconds())));
    }

    [Fact]
    public async Task A_new_tip_survives_a_restart()
    {
        await using var host = await ServiceHost.StartAsync();
        using (var put = await host.Client.PutAsJsonAsync("/tips/c-lasting-1", new { text = "Stretch your calves.", category = "movement", features = new { effort = 0.3 } }, Cancel))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        var before = (await host.ListTipsAsync());

        await host.RestartAsync();

        var after = (await host.ListTipsAsync());
        Assert.Equal(before.Count, after.Count);
        var tip = Assert.Single(after, t => t!.Str("tip_id") == "c-lasting-1")!;
        var original = before.Single(t => t!.Str("tip_id") == "c-lasting-1")!;
        Assert.Equal("Stretch your calves.", tip.Str("text"));
        Assert.Equal("movement", tip.Str("category"));
        Assert.Equal("api", tip.Str("source"));
        Assert.Equal(0.3, tip["features"]!.Val<double>("effort"));
        Assert.Equal(
            DateTimeOffset.Parse(original.Str("created_at")).ToUnixTimeMilliseconds(),
            DateTimeOffset.Parse(tip.Str("created_at")).ToUnixTimeMilliseconds());

        var score = await host.PostJsonAsync("/score", new { user_id = "c-restart", candidates = new[] { "c-lasting-1" } });
        Assert.Equal("c-lasting-1", score.Str("chosen_tip_id"));

        // Putting it again after the restart is a replacement, not a creation.
        using var again = await host.Client.PutAsJsonAsync("/tips/c-lasting-1", new { text = "Stretch your calves twice.", category = "movement" }, Cancel);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    /// <summary>
    /// A tip's times are part of what GET /tips reports; an unchanged tip must read the same after a restart
    /// as before it, not a rounded version of itself.
    /// </summary>
    [Fact]
    public async Task A_tips_times_read_the_same_before_and_after_a_restart()
    {
        await using var host = await ServiceHost.StartAsync();
        using (var put = await host.Client.PutAsJsonAsync("/tips/c-times-1", new { text = "Look out of the window.", category = "focus" }, Cancel))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        var before = (await host.ListTipsAsync()).Single(t => t!.Str("tip_id") == "c-times-1")!;

        await host.RestartAsync();

        var after = (await host.ListTipsAsync()).Single(t => t!.Str("tip_id") == "c-times-1")!;
        Assert.Equal(before.Str("created_at"), after.Str("created_at"));
        Assert.Equal(before.Str("updated_at"), after.Str("updated_at"));
    }

    private async Task<(HttpStatusCode Status, string? Location, JsonNode Body)> PutAsync(string tipId, object body)
    {
        using var response = await Host.Client.PutAsJsonAsync($"/tips/{tipId}", body, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.IsSuccessStatusCode, $"PUT /tips/{tipId} answered {(int)response.StatusCode}: {text}");
        return (response.StatusCode, response.Headers.Location?.OriginalString, JsonNode.Parse(text)!);
    }

    private async Task<JsonNode?> FindAsync(string tipId) =>
        (await Host.ListTipsAsync()).SingleOrDefault(t => t!.Str("tip_id") == tipId);

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex CategorySlug();
}
