using Actors.Abstractions;
using Actors.Grains.Services;
using Actors.Learning.Profile;
using Actors.Silo.EventStore;
using Actors.Silo.Storage;
using Microsoft.Data.Sqlite;

namespace Actors.Tests.Learning;

/// <summary>One credit per (request_id, tip_id), decided by the event store's writer, on a real SQLite file.</summary>
public sealed class DecisionCreditsTests
{
    private static readonly long NowMs = new DateTimeOffset(2025, 6, 15, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static FeedbackEvent Reaction(string eventId, string tipId, EventKind kind, string? requestId) =>
        new(eventId, tipId, kind, requestId, kind == EventKind.View ? 800 : null, NowMs);

    [Fact]
    public async Task Only_the_first_reaction_of_the_decisions_own_user_to_a_tip_it_offered_takes_the_credit()
    {
        using var temp = new TempEventStore();
        Assert.True(temp.Catalog.TryGet("sleep-01", out var sleep));
        Assert.True(temp.Catalog.TryGet("focus-01", out var focus));
        temp.Store.AppendDecision(new DecisionRecord("d1", "alice", "uniform-v1", 9, ProfileFeatureRegistry.Defaults(),
            [sleep.AsCandidate, focus.AsCandidate], [0.5, 0.5], NowMs, null));

        var bob = await temp.Store.AppendEventsAsync("bob", 1,
            [Reaction("b1", "sleep-01", EventKind.Complete, "d1")]);                // another user names alice's decision
        var alice = await temp.Store.AppendEventsAsync("alice", 1,
        [
            Reaction("a1", "sleep-01", EventKind.View, "d1"),                         // a view carries no reward
            Reaction("a2", "sleep-01", EventKind.Dismiss, "d1"),                      // the first reaction: credited
            Reaction("a3", "sleep-01", EventKind.Complete, "d1"),                     // the user changes their mind: stored, not credited
            Reaction("a2", "sleep-01", EventKind.Complete, "d1"),                     // a repeated event id: not even stored
            Reaction("a4", "focus-01", EventKind.Complete, "d1"),                     // another candidate of the decision: its own credit
            Reaction("a5", "movement-01", EventKind.Complete, "d1"),                  // a tip the decision did not offer
            Reaction("a6", "sleep-01", EventKind.Complete, null),                     // no decision named
            Reaction("a7", "sleep-01", EventKind.Complete, "nope"),                   // a decision nobody made
        ]);

        Assert.Equal([false], bob.Credited);
        Assert.Equal([1L, 2, 3, 0, 4, 5, 6, 7], alice.UserSeqs);
        Assert.Equal([false, true, false, false, true, false, false, false], alice.Credited);
        Assert.Equal(7, temp.Count("SELECT COUNT(*) FROM tip_feedback")); // every new event is kept as an event
        Assert.Equal(2, temp.Count("SELECT COUNT(*) FROM decision_rewards"));
        Assert.Equal("dismiss", temp.Scalar("SELECT kind FROM decision_rewards WHERE request_id = 'd1' AND tip_id = 'sleep-01'"));

        // Replay reads the same verdicts from the log: the bandit relearns exactly what it learned live.
        Assert.Equal([2L, 4L], (await temp.Store.ReadUserEventsAsync("alice", 0, rewardsOnly: true)).Select(e => e.UserSeq));
        Assert.Empty(await temp.Store.ReadUserEventsAsync("bob", 0, rewardsOnly: true));
        Assert.Equal(4, await temp.Store.LastRewardSeqAsync("alice"));
        Assert.Equal(0, await temp.Store.LastRewardSeqAsync("bob"));

        // A later batch cannot take a credit that is already given, and the verdicts survive a restart.
        temp.Reopen();
        var later = await temp.Store.AppendEventsAsync("alice", 8, [Reaction("a8", "focus-01", EventKind.Dismiss, "d1")]);
        Assert.Equal([false], later.Credited);
        Assert.Equal([2L, 4L], (await temp.Store.ReadUserEventsAsync("alice", 0, rewardsOnly: true)).Select(e => e.UserSeq));
    }

    [Fact]
    public async Task A_decision_queued_before_the_reaction_is_there_when_the_credit_is_decided()
    {
        using var temp = new TempEventStore();
        // Many decisions and their reactions in flight at once: each reaction follows its decision in the one queue.
        var appends = new List<Task<AppendedEvents>>();
        for (var i = 0; i < 200; i++)
        {
            temp.Store.AppendDecision(new DecisionRecord($"q{i}", $"user-{i % 7}", "uniform-v1", 9, ProfileFeatureRegistry.Defaults(),
                [new TipCandidate($"tip-{i}", "focus", null, InCatalog: false)], [1.0], NowMs + i, null));
            appends.Add(temp.Store.AppendEventsAsync($"user-{i % 7}", i / 7 + 1, [Reaction($"q{i}-c", $"tip-{i}", EventKind.Complete, $"q{i}")]));
        }

        var results = await Task.WhenAll(appends);

        Assert.All(results, r => Assert.Equal([true], r.Credited));
        Assert.Equal(200, temp.Count("SELECT COUNT(*) FROM decision_rewards"));
    }

    [Fact]
    public async Task A_database_from_before_credits_gains_them_from_its_log_once_by_the_same_rule()
    {
        var directory = Path.Combine(Path.GetTempPath(), "actors-old-credits-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "events.db");
        Directory.CreateDirectory(directory);
        try
        {
            using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                // The log as the previous release kept it (its schema without decision_rewards), with one decision
                // and the reactions to it in the order they arrived.
                command.CommandText = SqlResources.Read("EventStore.sql") + """
                    INSERT INTO tip_scores (request_id, user_id, policy, chosen_tip_id, candidates_json, features_json, hour, created_at_ms)
                        VALUES ('old-1', 'alice', 'linucb', 'sleep-01', '{"tip_ids":["sleep-01","focus-01"],"probabilities":[1,0]}', '{"profile":{},"context":{"hour":3}}', 3, 1);
                    INSERT INTO tip_feedback (event_id, user_id, user_seq, tip_id, kind, request_id, at_ms) VALUES
                        ('m1', 'mallory', 1, 'sleep-01', 'complete', 'old-1', 10),
                        ('a3', 'alice', 3, 'sleep-01', 'complete', 'old-1', 13),
                        ('a1', 'alice', 1, 'sleep-01', 'dismiss', 'old-1', 11),
                        ('a2', 'alice', 2, 'focus-01', 'complete', 'old-1', 12),
                        ('a4', 'alice', 4, 'movement-01', 'complete', 'old-1', 14),
                        ('a5', 'alice', 5, 'focus-01', 'dismiss', 'old-1', 15);
                    """;
                command.ExecuteNonQuery();
            }

            SqliteEventStore.EnsureSchema(path);

            const string credits = "SELECT group_concat(event_id || ':' || kind || ':' || user_seq, ' ') FROM (SELECT * FROM decision_rewards ORDER BY tip_id)";
            Assert.Equal("a2:complete:2 a1:dismiss:1", Scalar(path, credits));
            SqliteEventStore.EnsureSchema(path); // and again, as every start does: nothing is added twice
            Assert.Equal("a2:complete:2 a1:dismiss:1", Scalar(path, credits));
            Assert.Equal(2L, Scalar(path, "SELECT COUNT(*) FROM decision_rewards"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static object? Scalar(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
