using Actors.Abstractions;
using Actors.Grains;
using Actors.Grains.Services;
using Actors.Learning.Profile;
using Actors.Tests.Api;
using Microsoft.Extensions.Logging.Abstractions;

namespace Actors.Tests.Grains;

/// <summary>An erasure racing the user's own scoring and feedback must not let learning from before it survive.</summary>
public sealed class ErasureRaceTests(ActorsCluster fixture) : IClassFixture<ActorsCluster>
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static readonly TipCandidate[] Candidates =
        [new("a", "sleep", new() { ["effort"] = 0.5 }, InCatalog: false), new("b", "focus", new() { ["effort"] = 0.2 }, InCatalog: false)];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task After_an_erasure_raced_by_feedback_the_bandit_has_learned_exactly_the_rewards_the_log_still_credits(int seed)
    {
        var user = $"race-{seed}-{Guid.NewGuid():N}";
        var profile = fixture.Grains.GetGrain<IUserProfileGrain>(user);
        var bandit = fixture.Grains.GetGrain<IBanditGrain>(user);
        var random = new Random(seed);
        var counter = 0;
        async Task RoundAsync()
        {
            var decision = await bandit.ScoreAsync(new ScoreCommand(Guid.NewGuid().ToString("N"), Candidates, 8, null, Now));
            var kind = random.Next(2) == 0 ? EventKind.Complete : EventKind.Dismiss;
            var round = Interlocked.Increment(ref counter);
            var view = new FeedbackEvent($"{user}-{round}-view", decision.Ranked[0].TipId, EventKind.View, decision.RequestId, 1000, Now);
            var reward = new FeedbackEvent($"{user}-{round}", decision.Ranked[0].TipId, kind, decision.RequestId, null, Now);
            try
            {
                await FeedbackFlow.RecordAsync(profile, bandit, [view, reward], NullLogger.Instance);
            }
            catch (ErasedRequestException)
            {
                // The decision was erased between /score and /feedback: refused, as it should be.
            }
        }
        for (var round = 0; round < 10; round++) await RoundAsync();

        // The erasure and more rounds at once, interleaving differently from run to run.
        var racing = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var round = 0; round < 5; round++) await RoundAsync();
        })).ToList();
        await Task.Delay(random.Next(20), TestContext.Current.CancellationToken);
        await UserErasure.EraseAsync(profile, bandit);
        await Task.WhenAll(racing);

        // Rebuilt from storage and the log, as after any restart.
        await fixture.Cluster.DeactivateAsync(bandit);
        await fixture.Cluster.DeactivateAsync(profile);
        var summary = await bandit.GetSummaryAsync();
        var database = Path.Combine(fixture.DataDirectory, "actors.db");
        var credited = UserDataScan.Scalar(database,
            "SELECT COUNT(*) FROM tip_feedback f JOIN tip_scores s ON s.request_id = f.request_id AND s.user_id = f.user_id WHERE f.user_id = @u", ("@u", user));
        var logged = UserDataScan.Scalar(database, "SELECT COUNT(*) FROM event_ids WHERE user_id = @u", ("@u", user));

        Assert.Equal(credited, summary.Updates);
        // Whatever survived is the fresh user's: numbered from 1 without gaps, and all of it in the profile.
        Assert.Equal(logged, UserDataScan.Scalar(database, "SELECT COALESCE(MAX(user_seq), 0) FROM event_ids WHERE user_id = @u", ("@u", user)));
        Assert.Equal(0, UserDataScan.Scalar(database, "SELECT COUNT(*) FROM event_ids WHERE event_id IN (@first, @last)",
            ("@first", $"{user}-1"), ("@last", $"{user}-10")));
        var views = UserDataScan.Scalar(database, "SELECT COUNT(*) FROM tip_views WHERE user_id = @u", ("@u", user));
        Assert.InRange(views, 0, 20);
        Assert.Equal(views, (await profile.GetAsync()).Values[ProfileFeatureRegistry.IndexOf("tip_volume_30d")]);
    }
}
