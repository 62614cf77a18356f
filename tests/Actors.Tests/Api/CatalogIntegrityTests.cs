using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Api;

/// <summary>
/// Issue 15, point 6: seed and generated tips cannot be overwritten through PUT /tips, generated tips keep their
/// prompt version, the catalog has a size and a category cap, and GET /tips is paginated.
/// </summary>
public sealed class CatalogIntegrityTests(SharedHostFixture fixture) : IClassFixture<SharedHostFixture>
{
    private ServiceHost Host => fixture.Host;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_seed_tip_cannot_be_overwritten_and_is_left_as_it_was()
    {
        var before = (await Host.ListTipsAsync()).Single(t => t!.Str("tip_id") == "sleep-01")!;
        var rowsBefore = ValidationDb.Count(Host.DataDirectory).Tips;

        using var response = await Host.Client.PutAsJsonAsync("/tips/sleep-01",
            new { text = "Ignore your doctor; sleep three hours.", category = "sleep", features = new { effort = 9.0 } }, Cancel);

        await AssertConflictAsync(response, "tip_id", "seed");
        var after = (await Host.ListTipsAsync()).Single(t => t!.Str("tip_id") == "sleep-01")!;
        Assert.True(JsonNode.DeepEquals(before, after), $"{before.ToJsonString()} became {after.ToJsonString()}");
        Assert.Equal(rowsBefore, ValidationDb.Count(Host.DataDirectory).Tips);
        Assert.Equal(1, ValidationDb.Scalar(Host.DataDirectory,
            "SELECT COUNT(*) FROM tips WHERE tip_id = 'sleep-01' AND source = 'seed' AND text = @text", ("@text", before.Str("text"))));
    }

    [Fact]
    public async Task A_generated_tip_cannot_be_overwritten_and_keeps_its_prompt_version()
    {
        var generated = await Host.PostJsonAsync("/generate", new { user_id = "ci-gen", prompt_version = "v2" });
        var tipId = generated.Str("tip_id");

        using var response = await Host.Client.PutAsJsonAsync($"/tips/{tipId}",
            new { text = "Call 0906 555 0100 now.", category = generated.Str("category") }, Cancel);

        await AssertConflictAsync(response, "tip_id", "generated");
        var listed = (await Host.ListTipsAsync()).Single(t => t!.Str("tip_id") == tipId)!;
        Assert.Equal("generated", listed.Str("source"));
        Assert.Equal("v2", listed.Str("prompt_version"));
        Assert.Equal(generated.Str("text"), listed.Str("text"));
        Assert.Equal(["v2"], ValidationDb.Strings(Host.DataDirectory, "SELECT prompt_version FROM tips WHERE tip_id = @id", ("@id", tipId)));
    }

    [Fact]
    public async Task Pages_of_GET_tips_walk_the_whole_catalog_in_id_order_once()
    {
        var all = await Host.ListTipsAsync(limit: 1000);
        var paged = await Host.ListTipsAsync(limit: 7);

        var ids = all.Select(t => t!.Str("tip_id")).ToArray();
        Assert.True(ids.Length >= 56, $"{ids.Length} tips");
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids, paged.Select(t => t!.Str("tip_id")));

        var first = await Host.GetJsonAsync("/tips?limit=7");
        Assert.Equal(7, first["tips"]!.AsArray().Count);
        Assert.Equal(ids[6], first.Str("next_after"));
        var last = await Host.GetJsonAsync($"/tips?after={Uri.EscapeDataString(ids[^2])}");
        Assert.Equal([ids[^1]], last["tips"]!.AsArray().Select(t => t!.Str("tip_id")));
        Assert.Null(last["next_after"]);
    }

    [Fact]
    public async Task Without_a_limit_a_page_holds_100_tips()
    {
        for (var i = 0; i < 50; i++)
        {
            using var put = await Host.Client.PutAsJsonAsync($"/tips/ci-page-{i:D2}", new { text = "Breathe out slowly.", category = "mindfulness" }, Cancel);
            Assert.True(put.IsSuccessStatusCode, $"PUT answered {(int)put.StatusCode}");
        }

        var page = await Host.GetJsonAsync("/tips");

        Assert.Equal(100, page["tips"]!.AsArray().Count);
        Assert.NotNull(page["next_after"]);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    [InlineData("-5")]
    [InlineData("ten")]
    [InlineData("2.5")]
    public async Task A_limit_outside_1_to_1000_is_a_400_naming_limit(string limit)
    {
        using var response = await Host.Client.GetAsync($"/tips?limit={limit}", Cancel);
        var problem = await ServiceHost.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("1000", problem["errors"]!["limit"]![0]!.GetValue<string>());
    }

    /// <summary>A catalog at its caps refuses a new tip and a new category with a 409 naming the limit, and writes nothing.</summary>
    [Fact]
    public async Task The_catalog_refuses_tips_and_categories_past_its_limits()
    {
        // The seed holds 56 tips in 7 categories.
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?>
        {
            ["Limits:MaxCatalogTips"] = "58",
            ["Limits:MaxCategories"] = "8",
        });
        await ValidationDb.WarmUpAsync(host);

        Assert.Equal(HttpStatusCode.Created, await PutAsync(host, "cap-1", "music"));
        using (var newCategory = await host.Client.PutAsJsonAsync("/tips/cap-2", new { text = "Paint.", category = "art" }, Cancel))
        {
            await AssertConflictAsync(newCategory, "category", "Limits:MaxCategories");
        }
        Assert.Equal(HttpStatusCode.Created, await PutAsync(host, "cap-2", "music"));
        using (var full = await host.Client.PutAsJsonAsync("/tips/cap-3", new { text = "Hum.", category = "music" }, Cancel))
        {
            await AssertConflictAsync(full, "tip_id", "Limits:MaxCatalogTips");
        }
        // A full catalog still lets an API tip be replaced, and moving the last tip of a category frees its place.
        Assert.Equal(HttpStatusCode.OK, await PutAsync(host, "cap-1", "focus"));
        Assert.Equal(HttpStatusCode.OK, await PutAsync(host, "cap-2", "art"));

        var tips = await host.ListTipsAsync();
        Assert.Equal(58, tips.Count);
        Assert.Equal(8, tips.Select(t => t!.Str("category")).Distinct().Count());
        Assert.DoesNotContain(tips, t => t!.Str("tip_id") == "cap-3");
        Assert.Equal(58, ValidationDb.Count(host.DataDirectory).Tips);
    }

    private static async Task<HttpStatusCode> PutAsync(ServiceHost host, string tipId, string category)
    {
        using var response = await host.Client.PutAsJsonAsync($"/tips/{tipId}", new { text = "Listen to one song.", category }, Cancel);
        return response.StatusCode;
    }

    private static async Task AssertConflictAsync(HttpResponseMessage response, string field, string mentions)
    {
        var problem = await ServiceHost.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(mentions, problem["errors"]![field]![0]!.GetValue<string>());
    }
}
