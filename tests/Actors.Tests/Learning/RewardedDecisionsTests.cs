using Actors.Abstractions;
using Actors.Grains.Services;
using Actors.Learning.Profile;

namespace Actors.Tests.Learning;

/// <summary>The decision-log read behind offline evaluation, on a real SQLite store.</summary>
public sealed class RewardedDecisionsTests
{
    private static readonly long NowMs = new DateTimeOffset(2025, 6, 15, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public async Task Reads_the_latest_decisions_credited_on_their_served_tip_by_user_then_time_with_their_credited_rewards()
    {
        using var temp = new TempEventStore();
        var seqs = new Dictionary<string, long>();

        void Decide(string requestId, string userId, int minute, params string[] tipIds)
        {
            var candidates = tipIds.Select(id => temp.Catalog.TryGet(id, out var tip) ? tip.AsCandidate : throw new InvalidOperationException(id)).ToArray();
            var probabilities = tipIds.Select(_ => 1.0 / tipIds.Length).ToArray();
            temp.Store.AppendDecision(new DecisionRecord(requestId, userId, "uniform-v1", 9, ProfileFeatureRegistry.Defaults(),
                candidates, probabilities, NowMs + minute * 60_000L, null));
        }

        async Task ReactAsync(string userId, string tipId, EventKind kind, string requestId)
        {
            var seq = seqs[userId] = seqs.GetValueOrDefault(userId) + 1;
            Assert.True(await temp.Store.AppendEventAsync(new LoggedEvent(userId, seq,
                new FeedbackEvent($"{userId}-{seq}", tipId, kind, requestId, kind == EventKind.View ? 500 : null, NowMs))));
        }

        Decide("d1", "u1", 1, "sleep-01", "focus-01");
        await ReactAsync("u1", "sleep-01", EventKind.Complete, "d1");
        await ReactAsync("u1", "focus-01", EventKind.Dismiss, "d1");    // another candidate: kept for learning
        await ReactAsync("u1", "sleep-01", EventKind.Dismiss, "d1");    // a second reaction to the served tip: not credited
        Decide("d2", "u1", 2, "focus-01", "sleep-01");
        await ReactAsync("u1", "sleep-01", EventKind.Complete, "d2");   // only on a tip it did not serve: not evaluable
        Decide("d3", "u1", 3, "sleep-02", "sleep-01");
        await ReactAsync("u1", "sleep-02", EventKind.View, "d3");       // a view carries no reward
        await ReactAsync("u2", "sleep-02", EventKind.Complete, "d3");   // another user's event does not count
        Decide("d4", "u1", 4, "sleep-02", "focus-01");
        await ReactAsync("u1", "sleep-02", EventKind.Dismiss, "d4");
        Decide("e1", "u0", 5, "focus-01", "sleep-02");
        await ReactAsync("u0", "focus-01", EventKind.Complete, "e1");

        var all = await temp.Store.ReadRewardedDecisionsAsync(10, TestContext.Current.CancellationToken);

        Assert.Equal(["e1", "d1", "d4"], all.Select(d => d.Decision.RequestId));
        Assert.Equal(["focus-01", "sleep-01", "sleep-02"], all.Select(d => d.ServedTipId));
        Assert.Equal([("sleep-01", EventKind.Complete), ("focus-01", EventKind.Dismiss)], all[1].Rewards.Select(e => (e.TipId, e.Kind)));
        Assert.All(all[1].Rewards, e => Assert.Equal("d1", e.RequestId));
        Assert.Equal(["sleep-01", "focus-01"], all[1].Decision.Candidates.Select(c => c.TipId));
        Assert.Equal([0.5, 0.5], all[1].Decision.Probabilities);

        var latestTwo = await temp.Store.ReadRewardedDecisionsAsync(2, TestContext.Current.CancellationToken);

        Assert.Equal(["e1", "d4"], latestTwo.Select(d => d.Decision.RequestId));
    }

    [Fact]
    public async Task A_served_tip_deleted_from_the_catalog_is_read_with_its_logged_id()
    {
        using var temp = new TempEventStore();
        Assert.True(temp.Catalog.TryGet("sleep-01", out var sleep));
        var gone = new TipCandidate("gone-01", "sleep", null, InCatalog: true);
        temp.Store.AppendDecision(new DecisionRecord("g1", "u1", "uniform-v1", 9, ProfileFeatureRegistry.Defaults(),
            [gone, sleep.AsCandidate], [0.5, 0.5], NowMs, null));
        Assert.True(await temp.Store.AppendEventAsync(new LoggedEvent("u1", 1, new FeedbackEvent("u1-1", "gone-01", EventKind.Complete, "g1", null, NowMs))));

        var read = Assert.Single(await temp.Store.ReadRewardedDecisionsAsync(10, TestContext.Current.CancellationToken));

        Assert.Equal("gone-01", read.ServedTipId);
        Assert.Equal(["sleep-01"], read.Decision.Candidates.Select(c => c.TipId));
    }
}
