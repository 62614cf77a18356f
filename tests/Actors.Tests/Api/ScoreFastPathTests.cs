using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Actors.Gateway.Apis;
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
        ScoreFastPath.TryRead(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), Catalog, maxCandidates);

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

    private static string[] Keys(JsonNode node) => node.AsObject().Select(p => p.Key).ToArray();
}
