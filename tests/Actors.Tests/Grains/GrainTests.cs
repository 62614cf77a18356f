using Actors.Abstractions;
using Actors.Grains.Services;
using Actors.Learning.Profile;

namespace Actors.Tests.Grains;

public sealed class GrainTests(ActorsCluster fixture) : IClassFixture<ActorsCluster>
{
    private static readonly int Volume = ProfileFeatureRegistry.IndexOf("tip_volume_30d");
    private static readonly int Completion = ProfileFeatureRegistry.IndexOf("completion_rate_30d");

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static TipCandidate Tip(string id, string category) => new(id, category, new() { ["effort"] = 0.5 }, InCatalog: false);

    private static ScoreCommand Command(params TipCandidate[] candidates) =>
        new(Guid.NewGuid().ToString("N"), candidates, Hour: 8, ProfileFeatures: null, AtMs: Now);

    private static FeedbackEvent Event(string id, string tipId, EventKind kind, string? requestId = null) =>
        new(id, tipId, kind, requestId, kind == EventKind.View ? 1000 : null, Now);

    [Fact]
    public async Task Profile_grain_counts_each_event_once_and_numbers_the_log()
    {
        var user = $"p-{Guid.NewGuid():N}";
        var profile = fixture.Grains.GetGrain<IUserProfileGrain>(user);

        var first = await profile.RecordAsync([Event($"{user}-1", "t1", EventKind.View)]);
        var second = await profile.RecordAsync([Event($"{user}-2", "t1", EventKind.Complete)]);
        var again = await profile.RecordAsync([Event($"{user}-1", "t1", EventKind.View)]);

        Assert.Equal([1L], first.UserSeqs);
        Assert.Equal([2L], second.UserSeqs);
        Assert.Equal([0L], again.UserSeqs);
        Assert.Equal(1, again.Profile.Values[Volume]);
        Assert.Equal(1.0, again.Profile.Values[Completion]);
        Assert.Equal(2, await fixture.Store.LastUserSeqAsync(user));
    }

    [Fact]
    public async Task A_batch_with_repeated_ids_numbers_only_the_new_events_without_gaps()
    {
        var user = $"p-{Guid.NewGuid():N}";
        var profile = fixture.Grains.GetGrain<IUserProfileGrain>(user);
        await profile.RecordAsync([Event($"{user}-a", "t1", EventKind.View)]);

        var recorded = await profile.RecordAsync(
        [
            Event($"{user}-b", "t1", EventKind.View),
            Event($"{user}-a", "t1", EventKind.View),
            Event($"{user}-b", "t1", EventKind.View),
            Event($"{user}-c", "t1", EventKind.Dismiss),
        ]);

        Assert.Equal([2L, 0L, 0L, 3L], recorded.UserSeqs);
        Assert.Equal(2, recorded.Profile.Values[Volume]);
        Assert.Equal([1L, 2L, 3L], (await fixture.Store.ReadUserEventsAsync(user, 0)).Select(e => e.UserSeq));
    }

    [Fact]
    public async Task Bandit_scores_every_candidate_and_learns_from_a_reward_once()
    {
        var user = $"b-{Guid.NewGuid():N}";
        var bandit = fixture.Grains.GetGrain<IBanditGrain>(user);
        var profile = fixture.Grains.GetGrain<IUserProfileGrain>(user);
        var result = await bandit.ScoreAsync(Command(Tip("a", "sleep"), Tip("b", "focus")));
        Assert.Equal(["a", "b"], result.Ranked.Select(r => r.TipId).Order().ToArray());
        Assert.Equal(1.0, result.Ranked.Sum(r => r.Probability), 12);

        var complete = Event($"{user}-1", "b", EventKind.Complete, result.RequestId);
        var recorded = await profile.RecordAsync([complete]);
        var observed = new ObservedEvents([new SequencedEvent(recorded.UserSeqs[0], complete)], recorded.Profile, recorded.PreviousRewardSeq);
        await bandit.ObserveAsync(observed);
        await bandit.ObserveAsync(observed);

        var summary = await bandit.GetSummaryAsync();
        Assert.Equal(1, summary.Updates);
        Assert.Equal(1, summary.RewardsThroughSeq);
        Assert.True(summary.Weights["cat=focus"] > 0, "a completed focus tip raises the focus weight");
        Assert.Contains("cat=focus", summary.FeatureNames);
        Assert.DoesNotContain("cat=sleep", summary.FeatureNames);
    }

    [Fact]
    public async Task Bandit_replays_events_it_never_observed_when_it_activates_again()
    {
        var user = $"r-{Guid.NewGuid():N}";
        var bandit = fixture.Grains.GetGrain<IBanditGrain>(user);
        var profile = fixture.Grains.GetGrain<IUserProfileGrain>(user);
        var decision = await bandit.ScoreAsync(Command(Tip("a", "sleep"), Tip("b", "focus")));

        // Durable in the log, but the observe call is lost (as if the gateway died in between).
        await profile.RecordAsync([Event($"{user}-1", "a", EventKind.Dismiss, decision.RequestId)]);
        await profile.RecordAsync([Event($"{user}-2", "b", EventKind.Complete, decision.RequestId)]);
        Assert.Equal(0, (await bandit.GetSummaryAsync()).Updates);

        await fixture.Cluster.DeactivateAsync(bandit);

        var summary = await bandit.GetSummaryAsync();
        Assert.Equal(2, summary.Updates);
        Assert.Equal(2, summary.RewardsThroughSeq);
    }

    [Fact]
    public async Task A_reward_whose_observe_call_was_lost_is_learned_with_the_next_one()
    {
        var user = $"g-{Guid.NewGuid():N}";
        var bandit = fixture.Grains.GetGrain<IBanditGrain>(user);
        var profile = fixture.Grains.GetGrain<IUserProfileGrain>(user);
        var decision = await bandit.ScoreAsync(Command(Tip("a", "sleep")));
        var lost = Event($"{user}-1", "a", EventKind.Complete, decision.RequestId);
        await profile.RecordAsync([lost]);
        var view = Event($"{user}-2", "a", EventKind.View, decision.RequestId);
        await profile.RecordAsync([view]);
        var nextDecision = await bandit.ScoreAsync(Command(Tip("a", "sleep")));
        var next = Event($"{user}-3", "a", EventKind.Complete, nextDecision.RequestId);
        var recorded = await profile.RecordAsync([next]);
        Assert.Equal(1, recorded.PreviousRewardSeq);

        await bandit.ObserveAsync(new ObservedEvents([new SequencedEvent(recorded.UserSeqs[0], next)], recorded.Profile, recorded.PreviousRewardSeq));

        var summary = await bandit.GetSummaryAsync();
        Assert.Equal(2, summary.Updates);
        Assert.Equal(3, summary.RewardsThroughSeq);
        // Delivered again (a retried call), it is not learned twice.
        await bandit.ObserveAsync(new ObservedEvents([new SequencedEvent(recorded.UserSeqs[0], next)], recorded.Profile, recorded.PreviousRewardSeq));
        Assert.Equal(2, (await bandit.GetSummaryAsync()).Updates);
    }

    [Fact]
    public async Task Snapshots_carry_learned_state_across_deactivation()
    {
        var user = $"s-{Guid.NewGuid():N}";
        var bandit = fixture.Grains.GetGrain<IBanditGrain>(user);
        var profile = fixture.Grains.GetGrain<IUserProfileGrain>(user);
        for (var i = 0; i < 5; i++)
        {
            var decision = await bandit.ScoreAsync(Command(Tip("a", "sleep"), Tip("b", "focus")));
            var e = Event($"{user}-{i}", "b", EventKind.Complete, decision.RequestId);
            var recorded = await profile.RecordAsync([e]);
            await bandit.ObserveAsync(new ObservedEvents([new SequencedEvent(recorded.UserSeqs[0], e)], recorded.Profile, recorded.PreviousRewardSeq));
        }
        var before = await bandit.GetSummaryAsync();
        var profileBefore = await profile.GetAsync();

        await fixture.Cluster.DeactivateAsync(bandit);
        await fixture.Cluster.DeactivateAsync(profile);

        var after = await bandit.GetSummaryAsync();
        Assert.Equal(before.Updates, after.Updates);
        Assert.Equal(before.FeatureNames, after.FeatureNames);
        foreach (var (name, weight) in before.Weights) Assert.Equal(weight, after.Weights[name], 9);
        Assert.Equal(profileBefore.Values, (await profile.GetAsync()).Values);
    }

    [Fact]
    public async Task A_profile_older_than_the_ttl_is_recomputed_from_the_event_store()
    {
        var user = $"t-{Guid.NewGuid():N}";
        var profile = fixture.Grains.GetGrain<IUserProfileGrain>(user);
        await profile.RecordAsync([Event($"{user}-1", "x", EventKind.View)]);
        var fresh = await profile.GetAsync();

        // Another writer's event reaches the store without passing through this grain.
        await fixture.Store.AppendEventAsync(new LoggedEvent(user, 2, Event($"{user}-2", "x", EventKind.View)));
        Assert.Equal(1, (await profile.GetAsync()).Values[Volume]);

        // Up to the TTL (two seconds of the grains' clock here) the read serves what the grain holds ...
        fixture.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, (await profile.GetAsync()).Values[Volume]);

        // ... and past it a read recomputes from the store and sees the other writer's event.
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var refreshed = await profile.GetAsync();
        Assert.Equal(fixture.Clock.GetUtcNow().ToUnixTimeMilliseconds(), refreshed.ComputedAtMs);
        Assert.True(refreshed.ComputedAtMs > fresh.ComputedAtMs);
        Assert.Equal(2, refreshed.Values[Volume]);
        Assert.False(refreshed.Stale);
    }
}
