using Actors.Abstractions;
using Actors.Grains.Services;
using Actors.Learning.Profile;

namespace Actors.Tests.Learning;

public sealed class EventStoreTests
{
    private static readonly long NowMs = new DateTimeOffset(2025, 6, 15, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private const string CountAllEvents =
        "SELECT (SELECT COUNT(*) FROM event_ids) + (SELECT COUNT(*) FROM tip_views) + (SELECT COUNT(*) FROM tip_feedback)";

    [Theory]
    [InlineData(true, true, true)]    // a client retry: same user, same kind, same position
    [InlineData(true, true, false)]   // same user and kind, the grain gave it a new position
    [InlineData(true, false, false)]  // same user, another kind
    [InlineData(false, true, false)]  // another user, same kind
    [InlineData(false, false, false)] // another user, another kind
    public async Task A_duplicate_event_id_returns_false_and_writes_nothing(bool sameUser, bool sameKind, bool sameSeq)
    {
        using var temp = new TempEventStore();
        var first = new LoggedEvent("u1", 1, new FeedbackEvent("dup-1", "sleep-01", EventKind.View, "req-a", 700, NowMs - 60_000));
        Assert.True(await temp.Store.AppendEventAsync(first));

        var user = sameUser ? "u1" : "u2";
        var seq = sameUser && !sameSeq ? 2 : 1;
        var kind = sameKind ? EventKind.View : EventKind.Complete;
        var duplicate = new LoggedEvent(user, seq, new FeedbackEvent("dup-1", "sleep-02", kind, "req-b", sameKind ? 9_999 : null, NowMs));

        Assert.False(await temp.Store.AppendEventAsync(duplicate));

        Assert.Equal(1, temp.Count("SELECT COUNT(*) FROM event_ids"));
        Assert.Equal(1, temp.Count("SELECT COUNT(*) FROM tip_views"));
        Assert.Equal(0, temp.Count("SELECT COUNT(*) FROM tip_feedback"));
        Assert.Equal([first], await temp.Store.ReadUserEventsAsync("u1", 0));
        Assert.Empty(await temp.Store.ReadUserEventsAsync("u2", 0));
        Assert.Equal(1, await temp.Store.LastUserSeqAsync("u1"));
        Assert.Equal(0, await temp.Store.LastUserSeqAsync("u2"));
        var profile = (await temp.Store.AggregateProfileAsync("u1", NowMs)).Values();
        Assert.Equal(1, profile[ProfileFeatureRegistry.IndexOf("tip_volume_30d")]);
        Assert.Equal(700, profile[ProfileFeatureRegistry.IndexOf("mean_dwell_ms_30d")]);

        // The rejected duplicate reserved nothing: the position it asked for is still free.
        var next = new LoggedEvent(user, sameUser ? 2 : 1, new FeedbackEvent("fresh-1", "sleep-02", EventKind.Complete, null, null, NowMs));
        Assert.True(await temp.Store.AppendEventAsync(next));
        Assert.Equal(2 + 1 + 1, temp.Count(CountAllEvents)); // two ids, one view, one complete
    }

    [Fact]
    public async Task Concurrent_appends_of_one_event_id_accept_exactly_one()
    {
        using var temp = new TempEventStore();
        var appends = new Task<bool>[32];
        Parallel.For(0, appends.Length, i => appends[i] = temp.Store.AppendEventAsync(
            new LoggedEvent($"racer-{i}", 1, new FeedbackEvent("same-id", "sleep-01", (EventKind)(i % 3), null, null, NowMs))));

        var results = await Task.WhenAll(appends);

        Assert.Single(results, accepted => accepted);
        Assert.Equal(1, temp.Count("SELECT COUNT(*) FROM event_ids WHERE event_id = 'same-id'"));
        Assert.Equal(1, temp.Count("SELECT (SELECT COUNT(*) FROM tip_views) + (SELECT COUNT(*) FROM tip_feedback)"));
    }

    [Fact]
    public async Task Two_thousand_concurrent_appends_across_fifty_users_all_land()
    {
        const int users = 50, perUser = 40;
        using var temp = new TempEventStore();
        var appends = new Task<bool>[users * perUser];

        // From many threads at once, so appends queue up while earlier batches commit.
        Parallel.For(0, appends.Length, i =>
        {
            var user = $"load-{i % users}";
            var seq = i / users + 1;
            var kind = (EventKind)(i % 3);
            appends[i] = temp.Store.AppendEventAsync(new LoggedEvent(user, seq,
                new FeedbackEvent($"{user}-{seq}", $"tip-{i % 7}", kind, null, kind == EventKind.View ? i : null, NowMs - i)));
        });
        var results = await Task.WhenAll(appends);

        Assert.All(results, Assert.True);
        Assert.Equal(users * perUser, temp.Count("SELECT COUNT(*) FROM event_ids"));
        Assert.Equal(users * perUser, temp.Count("SELECT (SELECT COUNT(*) FROM tip_views) + (SELECT COUNT(*) FROM tip_feedback)"));
        for (var u = 0; u < users; u++)
        {
            var user = $"load-{u}";
            Assert.Equal(perUser, await temp.Store.LastUserSeqAsync(user));
            var events = await temp.Store.ReadUserEventsAsync(user, 0);
            Assert.Equal(Enumerable.Range(1, perUser).Select(s => (long)s), events.Select(e => e.UserSeq));
            Assert.Equal(Enumerable.Range(1, perUser).Select(s => $"{user}-{s}"), events.Select(e => e.Event.EventId));
        }
    }

    [Fact]
    public async Task Events_survive_dispose_and_reopen()
    {
        using var temp = new TempEventStore();
        var random = new Random(77);
        var written = new List<LoggedEvent>();
        foreach (var user in new[] { "keep-a", "keep-b" })
        {
            for (var seq = 1; seq <= 25; seq++)
            {
                var kind = (EventKind)random.Next(3);
                var logged = new LoggedEvent(user, seq, new FeedbackEvent(
                    $"{user}-{seq}", $"tip-{random.Next(5)}", kind, random.Next(2) == 0 ? null : $"req-{seq}",
                    kind == EventKind.View && random.Next(3) > 0 ? random.Next(60_000) : null, NowMs - random.NextInt64(20 * 86_400_000L)));
                written.Add(logged);
                // Not awaited: Dispose must flush whatever is still queued.
                _ = temp.Store.AppendEventAsync(logged);
            }
        }
        var profileBefore = new ProfileAccumulator();
        foreach (var logged in written.Where(w => w.UserId == "keep-a"))
        {
            profileBefore.Apply(new ProfileEvent(logged.Event.Kind, logged.Event.AtMs, logged.Event.DwellMs), NowMs);
        }

        temp.Reopen();

        foreach (var user in new[] { "keep-a", "keep-b" })
        {
            Assert.Equal(written.Where(w => w.UserId == user), await temp.Store.ReadUserEventsAsync(user, 0));
            Assert.Equal(25, await temp.Store.LastUserSeqAsync(user));
        }
        Assert.Equal(written.Where(w => w.UserId == "keep-a" && w.UserSeq > 20), await temp.Store.ReadUserEventsAsync("keep-a", 20));
        Assert.Equal(profileBefore.Values(), (await temp.Store.AggregateProfileAsync("keep-a", NowMs)).Values());
        // Once-only survives the restart too.
        Assert.False(await temp.Store.AppendEventAsync(written[0] with { UserSeq = 26 }));
        Assert.True(await temp.Store.AppendEventAsync(new LoggedEvent("keep-a", 26,
            new FeedbackEvent("keep-a-26", "tip-1", EventKind.View, null, null, NowMs))));
    }

    [Fact]
    public async Task A_decision_is_findable_once_a_later_event_append_completes()
    {
        using var temp = new TempEventStore();
        Assert.True(temp.Catalog.TryGet("sleep-01", out var sleep01));
        Assert.True(temp.Catalog.TryGet("sleep-02", out var sleep02));
        var inline = new TipCandidate("gen-7", "focus", new Dictionary<string, double> { ["effort"] = 0.3, ["duration"] = 1.0 / 7 }, InCatalog: false);
        var bare = new TipCandidate("gen-8", "movement", null, InCatalog: false);
        var decision = new DecisionRecord(
            RequestId: "req-decision",
            UserId: "decider",
            Policy: "linucb",
            Hour: 17,
            ProfileFeatures: [0.25, 1.0 / 3, 1834.5, 7, 12],
            Candidates: [inline, sleep01.AsCandidate, bare, sleep02.AsCandidate],
            Probabilities: [1.0 / 3, 1.0 / 3, 1.0 / 3, 0],
            CreatedAtMs: NowMs,
            PromptVersion: null);

        temp.Store.AppendDecision(decision);
        Assert.True(await temp.Store.AppendEventAsync(new LoggedEvent("decider", 1,
            new FeedbackEvent("decider-1", "gen-7", EventKind.View, "req-decision", 1200, NowMs))));
        var found = await temp.Store.FindDecisionAsync("req-decision");

        Assert.NotNull(found);
        Assert.Equal("req-decision", found.RequestId);
        Assert.Equal("decider", found.UserId);
        Assert.Equal("linucb", found.Policy);
        Assert.Equal(17, found.Hour);
        Assert.Equal(NowMs, found.CreatedAtMs);
        Assert.Null(found.PromptVersion);
        Assert.Equal(decision.ProfileFeatures, found.ProfileFeatures);
        Assert.Equal(decision.Probabilities, found.Probabilities);
        Assert.Equal(["gen-7", "sleep-01", "gen-8", "sleep-02"], found.Candidates.Select(c => c.TipId));
        Assert.Equal(["focus", sleep01.Category, "movement", sleep02.Category], found.Candidates.Select(c => c.Category));
        Assert.Equal([false, true, false, true], found.Candidates.Select(c => c.InCatalog));
        Assert.Equal(inline.Features, found.Candidates[0].Features);
        Assert.Equal(sleep01.Features, found.Candidates[1].Features);
        Assert.Empty(found.Candidates[2].Features ?? []);
        Assert.Equal(sleep02.Features, found.Candidates[3].Features);

        Assert.Equal(DBNull.Value, temp.Scalar("SELECT prompt_version FROM tip_scores WHERE request_id = @r", ("@r", "req-decision")));
        Assert.Equal("gen-7", temp.Scalar("SELECT chosen_tip_id FROM tip_scores WHERE request_id = @r", ("@r", "req-decision")));
        Assert.Null(await temp.Store.FindDecisionAsync("req-unknown"));
    }

    [Fact]
    public async Task Every_decision_precedes_the_event_appended_after_it()
    {
        using var temp = new TempEventStore();
        var random = new Random(9);
        var background = new List<Task<bool>>();
        for (var i = 1; i <= 40; i++)
        {
            // Other users' traffic keeps batches of varying size in flight.
            for (var j = random.Next(0, 30); j > 0; j--)
            {
                var seq = background.Count + 1;
                background.Add(temp.Store.AppendEventAsync(new LoggedEvent("noise", seq,
                    new FeedbackEvent($"noise-{seq}", "sleep-01", EventKind.View, null, null, NowMs))));
            }
            var requestId = $"fifo-{i}";
            temp.Store.AppendDecision(new DecisionRecord(requestId, "fifo", "linucb", i % 24, ProfileFeatureRegistry.Defaults(),
                [new TipCandidate($"tip-{i}", "focus", null, InCatalog: false)], [1.0], NowMs + i, null));
            Assert.True(await temp.Store.AppendEventAsync(new LoggedEvent("fifo", i,
                new FeedbackEvent($"fifo-event-{i}", $"tip-{i}", EventKind.Complete, requestId, null, NowMs + i))));

            var found = await temp.Store.FindDecisionAsync(requestId);

            Assert.NotNull(found);
            Assert.Equal([$"tip-{i}"], found.Candidates.Select(c => c.TipId));
            Assert.Equal([1.0], found.Probabilities);
        }
        Assert.All(await Task.WhenAll(background), Assert.True);
    }

    [Fact]
    public void A_database_from_before_experiments_gains_the_new_decision_columns_and_keeps_its_rows()
    {
        var directory = Path.Combine(Path.GetTempPath(), "actors-old-schema-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "events.db");
        Directory.CreateDirectory(directory);
        try
        {
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                // tip_scores as the previous release created it, with one decision in it.
                command.CommandText = """
                    CREATE TABLE tip_scores (request_id TEXT NOT NULL PRIMARY KEY, user_id TEXT NOT NULL, policy TEXT NOT NULL,
                        chosen_tip_id TEXT NOT NULL, candidates_json TEXT NOT NULL, features_json TEXT NOT NULL, hour INTEGER NOT NULL,
                        prompt_version TEXT NULL, created_at_ms INTEGER NOT NULL);
                    INSERT INTO tip_scores VALUES ('old-1', 'u', 'linucb', 'sleep-01', '{"tip_ids":["sleep-01"],"probabilities":[1]}', '{"profile":{},"context":{"hour":3}}', 3, NULL, 1);
                    """;
                command.ExecuteNonQuery();
            }

            Actors.Silo.EventStore.SqliteEventStore.EnsureSchema(path);

            using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
            check.Open();
            using var query = check.CreateCommand();
            query.CommandText = "SELECT COUNT(*) FROM pragma_table_info('tip_scores') WHERE name IN ('experiment', 'variant', 'shadows_json')";
            Assert.Equal(3L, (long)query.ExecuteScalar()!);
            query.CommandText = "SELECT COUNT(*) FROM tip_scores WHERE request_id = 'old-1' AND experiment IS NULL";
            Assert.Equal(1L, (long)query.ExecuteScalar()!);
            Actors.Silo.EventStore.SqliteEventStore.EnsureSchema(path); // and again, as every start does
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Decisions_keep_their_experiment_and_shadows_and_assignments_are_kept_per_user()
    {
        using var temp = new TempEventStore();
        Assert.True(temp.Catalog.TryGet("sleep-01", out var sleep01));
        temp.Store.AppendDecision(new DecisionRecord("req-x", "x", "lints-v1", 9, ProfileFeatureRegistry.Defaults(), [sleep01.AsCandidate], [1.0], NowMs, null,
            Experiment: "exp", Variant: "treatment", Shadows: [new ShadowDecision("linucb-v1", "sleep-01", 0.5, 0.5)]));
        await temp.Store.AppendAssignmentAsync(new Actors.Grains.Policies.ExperimentAssignment("exp", "x", "control", "", "control=1;holdout=0", NowMs));
        await temp.Store.AppendAssignmentAsync(new Actors.Grains.Policies.ExperimentAssignment("exp", "x", "treatment", "salt-2", "control=1;holdout=0", NowMs));

        Assert.Equal("treatment", temp.Scalar("SELECT variant FROM tip_scores WHERE request_id = 'req-x'"));
        Assert.Equal("""[{"policy":"linucb-v1","tip_id":"sleep-01","probability":0.5,"served_probability":0.5}]""",
            temp.Scalar("SELECT shadows_json FROM tip_scores WHERE request_id = 'req-x'"));
        var assignments = await temp.Store.ReadAssignmentsAsync("x");
        Assert.Equal("treatment", Assert.Single(assignments).Variant); // a new salt replaces the old assignment
        Assert.Empty(await temp.Store.ReadAssignmentsAsync("y"));
    }
}
