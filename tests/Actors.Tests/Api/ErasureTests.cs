using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Actors.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Actors.Tests.Api;

/// <summary>
/// One service for the erasure tests: an experiment runs (so users get assignments) and grain state is
/// snapshotted every second (so both grains' rows exist in grains.db before an erasure).
/// </summary>
public sealed class ErasureHostFixture : IAsyncLifetime
{
    public ServiceHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Host = await ServiceHost.StartAsync(new Dictionary<string, string?>
    {
        ["Experiments:Definitions:lints-vs-linucb:Running"] = "true",
        ["Snapshots:Interval"] = "00:00:01",
    });

    public async ValueTask DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
    }
}

/// <summary>GET /users/{id}/export and DELETE /users/{id} over real HTTP, checked against both SQLite files.</summary>
public sealed class ErasureTests(ErasureHostFixture fixture) : IClassFixture<ErasureHostFixture>
{
    private const int Rounds = 3;
    private static readonly string[] Candidates = ["sleep-01", "focus-01", "movement-01", "focus-02"];

    private ServiceHost Host => fixture.Host;

    [Fact]
    public async Task The_export_holds_every_kind_of_record_the_service_keeps_about_the_user()
    {
        var user = await SeedAsync("export");

        var export = await Host.GetJsonAsync($"/users/{user.Id}/export");

        Assert.Equal(user.Id, export.Str("user_id"));
        var events = export["events"]!.AsArray();
        Assert.Equal(user.EventIds, events.Select(e => e!.Str("event_id")));
        Assert.Equal(Enumerable.Range(1, 2 * Rounds).Select(i => (long)i), events.Select(e => e!.Val<long>("user_seq")));
        Assert.Equal(["view", "complete", "view", "dismiss", "view", "complete"], events.Select(e => e!.Str("kind")));
        Assert.Equal(user.RequestIds.SelectMany(r => new[] { r, r }), events.Select(e => e!.Str("request_id")));
        Assert.All(events.Where(e => e!.Str("kind") == "view"), e => Assert.Equal(1200, e!.Val<long>("dwell_ms")));
        Assert.All(events, e => Assert.True(e!.Val<DateTimeOffset>("received_at") > DateTimeOffset.UnixEpoch));

        var decisions = export["decisions"]!.AsArray();
        Assert.Equal(user.RequestIds, decisions.Select(d => d!.Str("request_id")));
        Assert.Equal(user.ServedTipIds, decisions.Select(d => d!.Str("chosen_tip_id")));
        Assert.All(decisions, d =>
        {
            Assert.Equal("lints-vs-linucb", d!.Str("experiment"));
            Assert.Equal(Candidates.Order(), d!["candidates"]!["tip_ids"]!.AsArray().Select(t => t!.GetValue<string>()).Order());
            Assert.Equal(9, d!["features"]!["context"]!.Val<int>("hour"));
        });

        var assignment = Assert.Single(export["experiment_assignments"]!.AsArray())!;
        Assert.Equal("lints-vs-linucb", assignment.Str("experiment"));
        Assert.Equal(decisions[0]!.Str("variant"), assignment.Str("variant"));

        var features = export["profile"]!["features"]!;
        Assert.Equal(Rounds, features.Val<double>("tip_volume_30d"));
        Assert.Equal(2.0 / 3, features.Val<double>("completion_rate_30d"), 9);

        var bandit = export["bandit"]!;
        Assert.Equal(Rounds, bandit.Val<long>("updates"));
        Assert.Equal(2 * Rounds, bandit.Val<long>("rewards_through_seq"));
        var names = bandit["feature_names"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
        Assert.Contains("bias", names);
        Assert.Equal(names.Order(), bandit["weights"]!.AsObject().Select(w => w.Key).Order());
        var tips = bandit["tips"]!.AsArray();
        Assert.Equal(user.ServedTipIds.Distinct().Order(), tips.Select(t => t!.Str("tip_id")));
        Assert.Equal(Rounds, tips.Sum(t => t!.Val<long>("rewarded_decisions")));
        Assert.Equal(2, tips.Sum(t => t!.Val<double>("reward_sum")));
    }

    [Fact]
    public async Task Erasure_removes_each_kind_of_record_says_what_it_removed_and_leaves_another_user_untouched()
    {
        var user = await SeedAsync("erase");
        var other = await SeedAsync("other");
        await WaitForGrainStateAsync(user.Id);
        await WaitForGrainStateAsync(other.Id);
        var otherBefore = await Host.GetJsonAsync($"/users/{other.Id}/export");

        var erased = await DeleteAsync(user.Id);

        Assert.Equal(user.Id, erased.Str("user_id"));
        var removed = erased["removed"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<long>());
        Assert.Equal(new Dictionary<string, long>
        {
            ["decision_rewards"] = Rounds, ["tip_views"] = Rounds, ["tip_feedback"] = Rounds, ["event_ids"] = 2 * Rounds, ["tip_scores"] = Rounds,
            ["experiment_assignments"] = 1, ["profile_state"] = 1, ["bandit_state"] = 1,
        }, removed);
        Assert.Equal(Rounds, erased.Val<long>("tombstoned_request_ids"));

        foreach (var table in new[] { "decision_rewards", "tip_views", "tip_feedback", "event_ids", "tip_scores", "experiment_assignments" })
        {
            Assert.Equal(0, ValidationDb.Scalar(Host.DataDirectory, $"SELECT COUNT(*) FROM {table} WHERE user_id = @u", ("@u", user.Id)));
            Assert.True(ValidationDb.Scalar(Host.DataDirectory, $"SELECT COUNT(*) FROM {table} WHERE user_id = @u", ("@u", other.Id)) > 0, table);
        }
        Assert.Equal(0, GrainStateRows(user.Id));
        Assert.Equal(2, GrainStateRows(other.Id));
        Assert.Equal(Rounds, ValidationDb.Scalar(Host.DataDirectory,
            "SELECT COUNT(*) FROM erased_requests WHERE request_id IN (@r0, @r1, @r2)",
            ("@r0", user.RequestIds[0]), ("@r1", user.RequestIds[1]), ("@r2", user.RequestIds[2])));

        var after = await Host.GetJsonAsync($"/users/{user.Id}/export");
        Assert.Empty(after["events"]!.AsArray());
        Assert.Empty(after["decisions"]!.AsArray());
        Assert.Empty(after["experiment_assignments"]!.AsArray());
        Assert.Empty(after["bandit"]!["tips"]!.AsArray());
        Assert.Equal(0, after["bandit"]!.Val<long>("updates"));
        Assert.Equal(0, after["profile"]!["features"]!.Val<double>("tip_volume_30d"));

        var otherAfter = await Host.GetJsonAsync($"/users/{other.Id}/export");
        foreach (var part in new[] { "events", "decisions", "experiment_assignments", "bandit" })
        {
            Assert.Equal(otherBefore[part]!.ToJsonString(), otherAfter[part]!.ToJsonString());
        }
    }

    [Fact]
    public async Task A_second_erasure_answers_200_with_zero_counts()
    {
        var user = await SeedAsync("twice");
        await DeleteAsync(user.Id);

        var again = await DeleteAsync(user.Id);

        Assert.All(again["removed"]!.AsObject(), p => Assert.Equal(0, p.Value!.GetValue<long>()));
        Assert.Equal(0, again.Val<long>("tombstoned_request_ids"));
        // A user the service never saw is answered the same way.
        var never = await DeleteAsync($"never-seen-{Guid.NewGuid():N}");
        Assert.All(never["removed"]!.AsObject(), p => Assert.Equal(0, p.Value!.GetValue<long>()));
    }

    [Fact]
    public async Task Feedback_naming_an_erased_request_id_is_refused_naming_request_id_and_writes_nothing()
    {
        var user = await SeedAsync("refused");
        var other = await SeedAsync("bystander");
        await DeleteAsync(user.Id);
        var before = ValidationDb.Count(Host.DataDirectory);
        var erasedRequest = user.RequestIds[1];

        // The erased user again, another user quoting the id, a one-user batch, and a batch for two users.
        await AssertRefusedAsync(new { event_id = $"{user.Id}-late", user_id = user.Id, tip_id = user.ServedTipIds[1], kind = "complete", request_id = erasedRequest }, "request_id");
        await AssertRefusedAsync(new { event_id = $"{other.Id}-quote", user_id = other.Id, tip_id = user.ServedTipIds[1], kind = "dismiss", request_id = erasedRequest }, "request_id");
        await AssertRefusedAsync(new object[]
        {
            new { event_id = $"{other.Id}-b1", user_id = other.Id, tip_id = "sleep-01", kind = "view" },
            new { event_id = $"{other.Id}-b2", user_id = other.Id, tip_id = user.ServedTipIds[1], kind = "complete", request_id = erasedRequest },
        }, "[1].request_id");
        await AssertRefusedAsync(new object[]
        {
            new { event_id = $"{other.Id}-m1", user_id = other.Id, tip_id = "sleep-01", kind = "view" },
            new { event_id = $"{user.Id}-m2", user_id = user.Id, tip_id = user.ServedTipIds[1], kind = "view", request_id = erasedRequest },
        }, "[1].request_id");

        Assert.Equal(before, ValidationDb.Count(Host.DataDirectory));
    }

    [Fact]
    public async Task An_erased_user_starts_fresh_and_an_erased_event_id_is_accepted_as_new()
    {
        var user = await SeedAsync("fresh");
        await DeleteAsync(user.Id);

        var score = await Host.PostJsonAsync("/score", new { user_id = user.Id, candidates = Candidates, context = new { hour = 9 } });
        var bandit = await Host.GetJsonAsync($"/users/{user.Id}/bandit");
        var profile = await Host.GetJsonAsync($"/users/{user.Id}/profile");

        Assert.Equal(0, bandit.Val<long>("updates"));
        Assert.Equal(0, bandit.Val<long>("rewards_through_seq"));
        Assert.Equal(0, bandit.Val<int>("tips_with_records"));
        Assert.Equal(0, profile["features"]!.Val<double>("tip_volume_30d"));
        Assert.Equal(-1, profile["features"]!.Val<double>("preferred_hour"));
        Assert.Equal(-1, score["profile_features"]!.Val<double>("preferred_hour"));

        // Event ids are the client's strings and may name the user, so erasure forgets them: one sent again is new.
        var reused = await Host.PostJsonAsync("/feedback", new { event_id = user.EventIds[0], user_id = user.Id, tip_id = "sleep-01", kind = "view" });
        Assert.False(reused.Val<bool>("duplicate"));
        Assert.Equal(1, ValidationDb.Scalar(Host.DataDirectory, "SELECT user_seq FROM event_ids WHERE event_id = @e", ("@e", user.EventIds[0])));
    }

    [Fact]
    public async Task The_erased_users_decisions_leave_offline_evaluation()
    {
        var user = await SeedAsync("eval");
        var before = (await Host.GetJsonAsync("/admin/evaluation?policy=uniform-v1")).Val<int>("n");

        await DeleteAsync(user.Id);

        var after = (await Host.GetJsonAsync("/admin/evaluation?policy=uniform-v1")).Val<int>("n");
        Assert.Equal(before - Rounds, after);
    }

    [Fact]
    public async Task After_erasure_no_column_of_any_table_and_no_file_in_the_data_directory_names_the_user()
    {
        var user = await SeedAsync("scan");
        var other = await SeedAsync("scan-other");
        await WaitForGrainStateAsync(user.Id);
        await WaitForGrainStateAsync(other.Id);
        // The scans can see the user: before the erasure they find the id in both databases and in the files.
        Assert.Contains(UserDataScan.ColumnsNaming(Path.Combine(Host.DataDirectory, "actors.db"), user.Id), c => c.StartsWith("tip_scores."));
        Assert.Contains("OrleansStorage.GrainIdExtensionString", UserDataScan.ColumnsNaming(Path.Combine(Host.DataDirectory, "grains.db"), user.Id));
        Assert.NotEmpty(UserDataScan.FilesNaming(Host.DataDirectory, user.Id));

        await DeleteAsync(user.Id);

        foreach (var database in new[] { "actors.db", "grains.db" })
        {
            Assert.Empty(UserDataScan.ColumnsNaming(Path.Combine(Host.DataDirectory, database), user.Id));
            Assert.NotEmpty(UserDataScan.ColumnsNaming(Path.Combine(Host.DataDirectory, database), other.Id));
        }
        Assert.Empty(UserDataScan.FilesNaming(Host.DataDirectory, user.Id));
        Assert.NotEmpty(UserDataScan.FilesNaming(Host.DataDirectory, other.Id));
    }

    /// <summary>A user after <see cref="Rounds"/> rounds of /score, a view and a complete or dismiss on the served tip.</summary>
    private sealed record SeededUser(string Id, List<string> RequestIds, List<string> ServedTipIds, List<string> EventIds);

    private async Task<SeededUser> SeedAsync(string label)
    {
        var user = new SeededUser($"{label}-{Guid.NewGuid():N}", [], [], []);
        for (var round = 0; round < Rounds; round++)
        {
            var score = await Host.PostJsonAsync("/score", new { user_id = user.Id, candidates = Candidates, context = new { hour = 9 } });
            var requestId = score.Str("request_id");
            var tipId = score.Str("chosen_tip_id");
            user.RequestIds.Add(requestId);
            user.ServedTipIds.Add(tipId);
            foreach (var (kind, dwell) in new[] { ("view", (long?)1200), (round == 1 ? "dismiss" : "complete", null) })
            {
                var eventId = $"{user.Id}-{round}-{kind}";
                user.EventIds.Add(eventId);
                var receipt = await Host.PostJsonAsync("/feedback", new { event_id = eventId, user_id = user.Id, tip_id = tipId, kind, request_id = requestId, dwell_ms = dwell });
                Assert.False(receipt.Val<bool>("duplicate"));
            }
        }
        return user;
    }

    private async Task<JsonNode> DeleteAsync(string userId)
    {
        using var response = await Host.Client.DeleteAsync($"/users/{userId}", TestContext.Current.CancellationToken);
        return await ServiceHost.ReadAsync(response, HttpStatusCode.OK);
    }

    private async Task AssertRefusedAsync(object body, string field)
    {
        using var response = await Host.Client.PostAsync("/feedback",
            new StringContent(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var problem = await ServiceHost.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("erased", problem["errors"]![field]![0]!.GetValue<string>());
    }

    /// <summary>Waits until both of the user's grains have snapshotted (every second here), so the erasure has state rows to remove.</summary>
    private async Task WaitForGrainStateAsync(string userId)
    {
        for (var attempt = 0; attempt < 300 && GrainStateRows(userId) < 2; attempt++) await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.Equal(2, GrainStateRows(userId));
    }

    private long GrainStateRows(string userId) => UserDataScan.Scalar(Path.Combine(Host.DataDirectory, "grains.db"),
        "SELECT COUNT(*) FROM OrleansStorage WHERE GrainIdExtensionString = @u", ("@u", userId));
}

/// <summary>Looks for a user id everywhere the service keeps data, without knowing its tables.</summary>
public static class UserDataScan
{
    /// <summary>
    /// Every "table.column" of the database with a value containing the id's UTF-8 bytes: each table listed in
    /// sqlite_master, each of its columns, as stored (text, blob, or a number's text), so tables added later are
    /// scanned too.
    /// </summary>
    public static IReadOnlyList<string> ColumnsNaming(string databasePath, string id)
    {
        using var connection = OpenReadOnly(databasePath);
        var hits = new List<string>();
        foreach (var table in Strings(connection, "SELECT name FROM sqlite_master WHERE type = 'table'"))
        {
            foreach (var column in Strings(connection, "SELECT name FROM pragma_table_info(@t)", ("@t", table)))
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"SELECT COUNT(*) FROM \"{table}\" WHERE instr(CAST(\"{column}\" AS BLOB), @id) > 0";
                command.Parameters.AddWithValue("@id", Encoding.UTF8.GetBytes(id));
                if ((long)command.ExecuteScalar()! > 0) hits.Add($"{table}.{column}");
            }
        }
        return hits;
    }

    /// <summary>Every file of the directory (databases, WAL and shared-memory files) holding the id in UTF-8 or UTF-16.</summary>
    public static IReadOnlyList<string> FilesNaming(string directory, string id)
    {
        byte[][] needles = [Encoding.UTF8.GetBytes(id), Encoding.Unicode.GetBytes(id)];
        return Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(path =>
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                var bytes = memory.GetBuffer().AsSpan(0, (int)memory.Length);
                foreach (var needle in needles) if (bytes.IndexOf(needle) >= 0) return true;
                return false;
            })
            .Select(Path.GetFileName)
            .ToArray()!;
    }

    public static long Scalar(string databasePath, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = OpenReadOnly(databasePath);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return (long)command.ExecuteScalar()!;
    }

    private static List<string> Strings(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read()) values.Add(reader.GetString(0));
        return values;
    }

    private static SqliteConnection OpenReadOnly(string databasePath)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }
}
