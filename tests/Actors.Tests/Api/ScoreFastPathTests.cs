using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using System.Net;
using Actors.Gateway.Apis;
using Actors.Grains.Options;
using Actors.Grains.Services;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Api;

/// <summary>
/// The /score fast path must accept only requests the general path accepts, and answer in the same shape;
/// anything else it leaves to the general path, which names the bad field.
/// </summary>
public sealed class ScoreFastPathTests(SharedHostFixture fixture) : IClassFixture<SharedHostFixture>
{
    private ITipCatalog Catalog => fixture.Host.App.Services.GetRequiredService<ITipCatalog>();

    private ScoreFastPath.Accepted? Read(string json, int maxCandidates = 200) =>
        ScoreFastPath.TryRead(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), Catalog, maxCandidates, new LimitsOptions());

    [Fact]
    public void A_plain_request_is_read_with_its_user_candidates_and_hour()
    {
        var accepted = Read("""{"user_id": "fast-1", "candidates": ["sleep-01", "focus-02"], "context": {"hour": 7}}""");

        Assert.NotNull(accepted);
        Assert.Equal("fast-1", accepted.UserId);
        Assert.Equal(["sleep-01", "focus-02"], accepted.Candidates.Select(c => c.TipId));
        Assert.All(accepted.Candidates, c => Assert.True(c.InCatalog));
        Assert.Equal(7, accepted.Hour);
        Assert.Null(Read("""{"candidates": ["sleep-01"], "user_id": "fast-1"}""")!.Hour);
    }

    [Theory]
    [InlineData("""{"user_id": "u", "candidates": ["sleep-01"], "profile_features": {"tip_volume_30d": 3}}""")]
    [InlineData("""{"user_id": "u", "candidates": [{"tip_id": "x", "category": "focus"}]}""")]
    [InlineData("""{"user_id": "u", "candidates": ["sleep\u002d01"]}""")]
    [InlineData("""{"user_id": "u", "candidates": ["sleep-01", "sleep-01"]}""")]
    [InlineData("""{"user_id": "u", "candidates": ["no-such-tip"]}""")]
    [InlineData("""{"user_id": "u", "candidates": []}""")]
    [InlineData("""{"user_id": "", "candidates": ["sleep-01"]}""")]
    [InlineData("""{"user_id": "u\u0007", "candidates": ["sleep-01"]}""")]
    [InlineData("""{"user_id": "u", "candidates": ["sleep-01"], "context": {"hour": 24}}""")]
    [InlineData("""{"user_id": "u", "candidates": ["sleep-01"], "context": {"hour": 7.5}}""")]
    [InlineData("""{"user_id": "u", "candidates": ["sleep-01"], "extra": 1}""")]
    [InlineData("""{"user_id": "u", "user_id": "v", "candidates": ["sleep-01"]}""")]
    [InlineData("""{"user_id": "u", "candidates": ["sleep-01"]} trailing""")]
    [InlineData("""{"user_id": "u", "candidates": ["sleep-01"]""")]
    [InlineData("""["sleep-01"]""")]
    public void Anything_unusual_is_left_to_the_general_path(string json) => Assert.Null(Read(json));

    [Fact]
    public void More_candidates_than_the_limit_are_left_to_the_general_path()
    {
        Assert.NotNull(Read("""{"user_id": "u", "candidates": ["sleep-01", "sleep-02"]}""", maxCandidates: 2));
        Assert.Null(Read("""{"user_id": "u", "candidates": ["sleep-01", "sleep-02", "sleep-03"]}""", maxCandidates: 2));
    }

    [Fact]
    public async Task Both_paths_answer_with_the_same_fields()
    {
        var candidates = new[] { "sleep-01", "focus-02", "movement-03" };
        var fast = await fixture.Host.PostJsonAsync("/score", new { user_id = "fast-2", candidates, context = new { hour = 9 } });
        // profile_features is not for the fast path: this one goes through the general path.
        var general = await fixture.Host.PostJsonAsync("/score", new
        {
            user_id = "fast-3",
            candidates,
            context = new { hour = 9 },
            profile_features = new Dictionary<string, double> { ["tip_volume_30d"] = 0 },
        });

        Assert.Equal(Keys(general), Keys(fast));
        Assert.Equal(Keys(general["ranked"]![0]!), Keys(fast["ranked"]![0]!));
        Assert.Equal(Keys(general["profile_features"]!), Keys(fast["profile_features"]!));
        Assert.Equal(candidates.Order(), fast["ranked"]!.AsArray().Select(r => r!.Str("tip_id")).Order());
        Assert.Equal(candidates.Order(), general["ranked"]!.AsArray().Select(r => r!.Str("tip_id")).Order());
    }

    /// <summary>
    /// Ids the general path refuses (issue 15, point 8) must not slip through the fast path: a bidi override, a
    /// zero-width joiner, a BOM, a line separator, an unpaired surrogate, a '/' or a dot segment in the user id.
    /// </summary>
    [Theory]
    [InlineData("""{"user_id": "u\u202Eevil", "candidates": ["sleep-01"]}""")]
    [InlineData("""{"user_id": "u\u200Bx", "candidates": ["sleep-01"]}""")]
    [InlineData("""{"user_id": "u\u200Dx", "candidates": ["sleep-01"]}""")]
    [InlineData("""{"user_id": "\uFEFFu", "candidates": ["sleep-01"]}""")]
    [InlineData("""{"user_id": "u\u2028x", "candidates": ["sleep-01"]}""")]
    [InlineData("""{"user_id": "u\ud800x", "candidates": ["sleep-01"]}""")]
    [InlineData("""{"user_id": "a/b", "candidates": ["sleep-01"]}""")]
    [InlineData("""{"user_id": "..", "candidates": ["sleep-01"]}""")]
    public async Task Both_paths_refuse_the_same_hostile_user_ids(string json)
    {
        Assert.Null(Read(json));
        using var response = await fixture.Host.PostRawAsync("/score", json);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonNode.Parse(text)!["errors"]!.AsObject().ContainsKey("user_id"), text);
    }

    /// <summary>What the fast path takes, the general path takes too, and the other way round, for ids at the edges of the rules.</summary>
    [Theory]
    [InlineData("fast-é-ünïcode")]
    [InlineData("fast.user_1-ok")]
    [InlineData("fast user with spaces")]
    [InlineData("fast%2Fpercent")]
    [InlineData("fast-😀-emoji")]
    public async Task Both_paths_accept_the_same_ordinary_user_ids(string userId)
    {
        var json = $$"""{"user_id": "{{userId}}", "candidates": ["sleep-01", "focus-02"]}""";
        var accepted = Read(json);
        Assert.NotNull(accepted);
        Assert.Equal(userId, accepted.UserId);
        // The general path, through a body the fast path gives up on (an escaped property name).
        var general = await fixture.Host.PostRawAsync("/score", $$"""{"user_id": "{{userId}}", "candidates": ["sleep-01", "focus-02"]}""");
        Assert.Equal(HttpStatusCode.OK, general.StatusCode);
        using var fast = await fixture.Host.PostRawAsync("/score", json);
        Assert.Equal(HttpStatusCode.OK, fast.StatusCode);
    }

    private static string[] Keys(JsonNode node) => node.AsObject().Select(p => p.Key).ToArray();
}
