using System.Text.Json.Nodes;
using Actors.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Actors.Tests.Api;

/// <summary>
/// The attacks of issue 15 ("one decision can be credited again and again", "analytics ignore who reacted")
/// through the public API: a decision's tip is credited once, by the first reaction of the user it served.
/// </summary>
public sealed class CreditOnceTests(CreditOnceTests.ExperimentHost fixture) : IClassFixture<CreditOnceTests.ExperimentHost>
{
    private const string Experiment = "lints-vs-linucb";
    private static readonly string[] Candidates = ["sleep-01", "focus-01", "movement-01"];

    /// <summary>One service with the shipped experiment running, shared by the tests that need no restart.</summary>
    public sealed class ExperimentHost : IAsyncLifetime
    {
        public ServiceHost Host { get; private set; } = null!;

        public async ValueTask InitializeAsync() => Host = await ServiceHost.StartAsync(new Dictionary<string, string?>
        {
            [$"Experiments:Definitions:{Experiment}:Running"] = "true",
            [$"Experiments:Definitions:{Experiment}:Holdout"] = "0.5",
        });

        public async ValueTask DisposeAsync()
        {
            if (Host is not null) await Host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_hundred_fifteen_fresh_events_on_one_decision_and_tip_train_once_live_and_after_a_replay_from_the_log()
    {
        await using var host = await ServiceHost.StartAsync();
        const string user = "replayer";
        var score = await ScoreAsync(host, user);
        var (tip, request) = (score.Str("chosen_tip_id"), score.Str("request_id"));
        await host.PostJsonAsync("/feedback", new { event_id = "rp-view", user_id = user, tip_id = tip, kind = "view", request_id = request });

        // 15 one by one, then 200 in one batch: every event is new, and each is accepted as an event.
        object Complete(int i) => new { event_id = $"rp-{i}", user_id = user, tip_id = tip, kind = "complete", request_id = request };
        for (var i = 0; i < 15; i++) Assert.False((await host.PostJsonAsync("/feedback", Complete(i))).Val<bool>("duplicate"));
        var batch = await host.PostJsonAsync("/feedback", Enumerable.Range(15, 200).Select(Complete).ToArray());
        Assert.All(batch["results"]!.AsArray(), r => Assert.False(r!.Val<bool>("duplicate")));
        Assert.Equal(215, ValidationDb.Scalar(host.DataDirectory, "SELECT COUNT(*) FROM tip_feedback WHERE request_id = @r", ("@r", request)));

        await AssertTrainedOnceAsync(host, user);
        // An event id still counts once: a repeat is answered as a duplicate and changes nothing.
        Assert.True((await host.PostJsonAsync("/feedback", Complete(0))).Val<bool>("duplicate"));
        Assert.True((await host.PostJsonAsync("/feedback", Complete(214))).Val<bool>("duplicate"));
        await AssertTrainedOnceAsync(host, user);

        // From the snapshot after a restart, and from the log alone once the snapshots are gone.
        await host.RestartAsync();
        await AssertTrainedOnceAsync(host, user);
        await host.RestartAsync();
        Assert.True(DeleteGrainState(host, user) > 0);
        await AssertTrainedOnceAsync(host, user);
    }

    [Fact]
    public async Task Completes_sent_by_another_user_for_a_holdout_decision_train_nobody_and_count_in_no_results()
    {
        var host = fixture.Host;
        var victim = await UserInVariantAsync(host, "holdout");
        var score = await ScoreAsync(host, victim);
        var (tip, request) = (score.Str("chosen_tip_id"), score.Str("request_id"));
        // An acknowledged event means every decision queued before it is in the log (one FIFO queue).
        await host.PostJsonAsync("/feedback", new { event_id = $"{victim}-view", user_id = victim, tip_id = tip, kind = "view", request_id = request });
        var before = await VariantAsync(host, "holdout");

        // The attack: 50 completes under another user's id, naming the victim's decision and served tip.
        await host.PostJsonAsync("/feedback", Enumerable.Range(0, 50)
            .Select(i => new { event_id = $"forged-{i}", user_id = "mallory", tip_id = tip, kind = "complete", request_id = request }).ToArray());
        var attacked = await VariantAsync(host, "holdout");
        Assert.Equal(before.Val<long>("decisions"), attacked.Val<long>("decisions"));
        Assert.Equal(before.Val<long>("rewarded"), attacked.Val<long>("rewarded"));
        Assert.Equal(before.Val<long>("completes"), attacked.Val<long>("completes"));
        Assert.Equal(0, (await BanditAsync(host, "mallory")).Val<long>("updates"));
        Assert.Equal(0, (await BanditAsync(host, victim)).Val<long>("updates"));

        // The forgeries took no slot: the victim's own answer, a dismiss, is the one that counts.
        await host.PostJsonAsync("/feedback", new { event_id = $"{victim}-own", user_id = victim, tip_id = tip, kind = "dismiss", request_id = request });
        var answered = await VariantAsync(host, "holdout");
        Assert.Equal(before.Val<long>("rewarded") + 1, answered.Val<long>("rewarded"));
        Assert.Equal(before.Val<long>("dismisses") + 1, answered.Val<long>("dismisses"));
        Assert.Equal(before.Val<long>("completes"), answered.Val<long>("completes"));
        var bandit = await BanditAsync(host, victim);
        Assert.Equal(1, bandit.Val<long>("updates"));
        // A dismiss is reward 0, so a model that learned only it has every weight at 0; a forged complete would show.
        Assert.All(bandit["weights"]!.AsObject(), w => Assert.Equal(0.0, w.Value!.GetValue<double>(), 12));
    }

    [Fact]
    public async Task Prompt_analytics_count_one_reaction_per_shown_decision_from_the_user_it_served()
    {
        var host = fixture.Host;
        var tip = (await host.PostJsonAsync("/generate", new { user_id = "writer", prompt_version = "v2", context = new { hour = 9 } })).Str("tip_id");
        var score = await host.PostJsonAsync("/score", new { user_id = "reader", candidates = new[] { tip } });
        var request = score.Str("request_id");

        object Event(string id, string user, string kind, long? dwell = null) =>
            new { event_id = id, user_id = user, tip_id = tip, kind, request_id = request, dwell_ms = dwell };
        await host.PostJsonAsync("/feedback", Event("pr-view", "reader", "view", 1000));
        // 30 completes on one shown decision: 10 from another user first (who also claims a long view), then
        // the reader's own answer, a dismiss, then 20 more completes from the reader.
        await host.PostJsonAsync("/feedback", Enumerable.Range(0, 10).Select(i => Event($"pr-other-{i}", "mallory-2", "complete")).ToArray());
        await host.PostJsonAsync("/feedback", Event("pr-other-view", "mallory-2", "view", 3_600_000));
        await host.PostJsonAsync("/feedback", Event("pr-own-dismiss", "reader", "dismiss"));
        await host.PostJsonAsync("/feedback", Enumerable.Range(0, 20).Select(i => Event($"pr-own-{i}", "reader", "complete")).ToArray());

        var v2 = (await host.GetJsonAsync("/admin/analytics/prompts"))["prompt_versions"]!.AsArray().Single(e => e!.Str("prompt_version") == "v2")!;
        Assert.Equal(1, v2.Val<long>("shown"));
        Assert.Equal(0, v2.Val<long>("completed"));
        Assert.Equal(1, v2.Val<long>("dismissed"));
        Assert.Equal(0.0, v2.Val<double>("completion_rate"));
        Assert.Equal(1000, v2.Val<double>("mean_dwell_ms"));
    }

    [Fact]
    public async Task The_first_reaction_wins_a_complete_then_a_dismiss_credits_the_complete()
    {
        var host = fixture.Host;
        const string user = "changes-mind";
        var score = await ScoreAsync(host, user);
        var (tip, request) = (score.Str("chosen_tip_id"), score.Str("request_id"));
        await host.PostJsonAsync("/feedback", new { event_id = "cm-0", user_id = user, tip_id = tip, kind = "view", request_id = request });
        var before = await VariantAsync(host, score.Str("variant"));

        await host.PostJsonAsync("/feedback", new { event_id = "cm-1", user_id = user, tip_id = tip, kind = "complete", request_id = request });
        var dismiss = await host.PostJsonAsync("/feedback", new { event_id = "cm-2", user_id = user, tip_id = tip, kind = "dismiss", request_id = request });

        Assert.False(dismiss.Val<bool>("duplicate")); // stored as an event all the same
        var bandit = await BanditAsync(host, user);
        Assert.Equal(1, bandit.Val<long>("updates"));
        // Reward 1 from the complete: had the dismiss (reward 0) been credited instead, every weight would be 0.
        Assert.Contains(bandit["weights"]!.AsObject(), w => w.Value!.GetValue<double>() > 0);
        Assert.Equal(["complete"], ValidationDb.Strings(host.DataDirectory, "SELECT kind FROM decision_rewards WHERE request_id = @r", ("@r", request)));
        var after = await VariantAsync(host, score.Str("variant"));
        Assert.Equal(before.Val<long>("completes") + 1, after.Val<long>("completes"));
        Assert.Equal(before.Val<long>("dismisses"), after.Val<long>("dismisses"));
    }

    private static async Task AssertTrainedOnceAsync(ServiceHost host, string user)
    {
        var bandit = await BanditAsync(host, user);
        Assert.Equal(1, bandit.Val<long>("updates"));
        Assert.Equal(2, bandit.Val<long>("rewards_through_seq")); // the first complete, after the view
    }

    /// <summary>Removes the user's grain snapshots (the user's grains are not active), so they rebuild from the log.</summary>
    private static int DeleteGrainState(ServiceHost host, string user)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(host.DataDirectory, "grains.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM OrleansStorage WHERE GrainIdExtensionString = @user";
        command.Parameters.AddWithValue("@user", user);
        return command.ExecuteNonQuery();
    }

    /// <summary>The first of victim-0, victim-1, … that the experiment puts in the variant (its first /score assigns it).</summary>
    private static async Task<string> UserInVariantAsync(ServiceHost host, string variant)
    {
        for (var i = 0; ; i++)
        {
            var user = $"victim-{i}";
            if ((await ScoreAsync(host, user)).Str("variant") == variant) return user;
        }
    }

    private static Task<JsonNode> ScoreAsync(ServiceHost host, string user) =>
        host.PostJsonAsync("/score", new { user_id = user, candidates = Candidates, context = new { hour = 9 } });

    private static Task<JsonNode> BanditAsync(ServiceHost host, string user) => host.GetJsonAsync($"/users/{user}/bandit");

    private static async Task<JsonNode> VariantAsync(ServiceHost host, string variant) =>
        (await host.GetJsonAsync($"/admin/experiments/{Experiment}"))["variants"]!.AsArray().Single(v => v!.Str("variant") == variant)!;
}
