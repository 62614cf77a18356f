using System.Net;
using System.Text.Json.Nodes;
using Actors.Learning.Bandits;
using Actors.Learning.Profile;
using Actors.Grains;
using Actors.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Actors.Tests.Api;

/// <summary>
/// Stored learned state survives feature changes: golden snapshots from the format before feature configurations
/// (tests/Actors.Tests/Golden/v1, one user) migrate at activation, and POST /admin/migrations migrates everyone.
/// </summary>
public sealed class MigrationTests
{
    private const string GoldenUser = "golden-user";
    private static readonly string GoldenDirectory = Path.Combine(AppContext.BaseDirectory, "Golden", "v1");
    private static readonly string[] Candidates = ["sleep-01", "focus-01", "movement-01", "hydration-01"];
    private static readonly string ProfileLayout = ProfileMigration.LayoutId(ProfileFeatureRegistry.All);

    /// <summary>The captured service's settings, and a TTL long enough that the profile is served from its snapshot.</summary>
    private static readonly Dictionary<string, string?> GoldenSettings = new()
    {
        ["Orleans:ServiceId"] = "actors",
        ["Orleans:ClusterId"] = "actors-dev",
        ["Profile:Ttl"] = "30.00:00:00",
        ["Profile:StaleAfter"] = "31.00:00:00",
    };

    /// <summary>The shipped groups without category_hour, and cat=focus renamed.</summary>
    private static readonly Dictionary<string, string?> RenamedSettings = new()
    {
        ["Bandit:Features:Groups:0"] = "category",
        ["Bandit:Features:Groups:1"] = "tip",
        ["Bandit:Features:Groups:2"] = "profile",
        ["Bandit:Renames:cat=focus"] = "cat=concentration",
    };

    [Fact]
    public async Task Golden_snapshots_migrate_at_activation_without_the_log_and_again_after_a_rename()
    {
        var directory = CopyGolden(withoutLog: true);
        await using var host = await ServiceHost.StartAsync(GoldenSettings, directory);

        var before = JsonNode.Parse(File.ReadAllText(Path.Combine(GoldenDirectory, "bandit-before.json")))!;
        var bandit = await host.GetJsonAsync($"/users/{GoldenUser}/bandit");
        Assert.Equal(Names(before["feature_names"]!), Names(bandit["feature_names"]!));
        Assert.Equal(12, bandit.Val<long>("updates"));
        var weightsBefore = before["weights"]!.AsObject();
        Assert.Equal(weightsBefore.Count, bandit["weights"]!.AsObject().Count);
        // The stored model carried over: equal to rounding (A⁻¹ is rebuilt by Cholesky).
        foreach (var (name, weight) in weightsBefore) Assert.Equal(weight!.GetValue<double>(), bandit["weights"]![name]!.GetValue<double>(), 9);

        var profileBefore = JsonNode.Parse(File.ReadAllText(Path.Combine(GoldenDirectory, "profile-before.json")))!;
        var profile = await host.GetJsonAsync($"/users/{GoldenUser}/profile");
        Assert.Equal(profileBefore["features"]!.ToJsonString(), profile["features"]!.ToJsonString());
        Assert.Equal(profileBefore.Str("computed_at"), profile.Str("computed_at"));

        var score = await host.PostJsonAsync("/score", new { user_id = GoldenUser, candidates = Candidates, context = new { hour = 8 } });
        Assert.Contains(score.Str("chosen_tip_id"), Candidates);

        // A graceful stop writes the migrated snapshots; the next start reads none of the golden user's until asked.
        await host.RestartAsync(RenamedSettings);
        var first = ReadPayload(directory, "bandit", GoldenUser);
        Assert.Equal(BanditFeatureSet.Default.Id, first.Str("FeatureSet"));
        var firstHistory = Values(first["History"]!);
        Assert.Equal(BanditSnapshot.LegacyFeatureSet, Assert.Single(firstHistory).Str("From"));
        Assert.Equal((17, 0, 0), (Count(firstHistory[0], "Kept"), Count(firstHistory[0], "Renamed"), Count(firstHistory[0], "Dropped")));
        var storedProfile = ReadPayload(directory, "profile", GoldenUser);
        Assert.Equal(ProfileLayout, storedProfile.Str("FeatureSet"));
        Assert.Equal(BanditSnapshot.LegacyFeatureSet, Assert.Single(Values(storedProfile["History"]!)).Str("From"));

        var renamed = Names((await host.GetJsonAsync($"/users/{GoldenUser}/bandit"))["feature_names"]!);
        Assert.Contains("cat=concentration", renamed);
        Assert.DoesNotContain("cat=focus", renamed);
        Assert.DoesNotContain(renamed, n => n.Contains("|hour_"));
        Assert.Equal(17 - 6, renamed.Length);
        Assert.Equal(profileBefore["features"]!.ToJsonString(), (await host.GetJsonAsync($"/users/{GoldenUser}/profile"))["features"]!.ToJsonString());

        await host.RestartAsync();
        var second = ReadPayload(directory, "bandit", GoldenUser);
        var target = new BanditFeatureSet(["category", "tip", "profile"], renames: new Dictionary<string, string> { ["cat=focus"] = "cat=concentration" });
        Assert.Equal(target.Id, second.Str("FeatureSet"));
        var history = Values(second["History"]!);
        Assert.Equal(2, history.Count);
        Assert.Equal((BanditFeatureSet.Default.Id, target.Id), (history[1].Str("From"), history[1].Str("To")));
        Assert.Equal((10, 1, 6), (Count(history[1], "Kept"), Count(history[1], "Renamed"), Count(history[1], "Dropped")));
        // The renamed feature's data carried over exactly: its entries of b and A (with itself and with the bias).
        var (oldNames, newNames) = (Names(first["FeatureNames"]!), Names(second["FeatureNames"]!));
        var (oldFocus, newFocus) = (Array.IndexOf(oldNames, "cat=focus"), Array.IndexOf(newNames, "cat=concentration"));
        Assert.Equal(Numbers(first["B"]!)[oldFocus], Numbers(second["B"]!)[newFocus]);
        Assert.Equal(Entry(first, oldFocus, oldFocus), Entry(second, newFocus, newFocus));
        Assert.Equal(Entry(first, oldFocus, 0), Entry(second, newFocus, 0));
        Assert.Single(Values(ReadPayload(directory, "profile", GoldenUser)["History"]!));
    }

    [Fact]
    public async Task A_profile_snapshot_laid_out_for_another_feature_list_migrates_by_name()
    {
        var directory = CopyGolden(withoutLog: false);
        // Laid out for a list that named completion differently, had a feature since retired and lacked tip_volume_30d.
        // Its values differ from what the log gives (0.67, 0.33, 1650, 22), so a recompute would show.
        double[] hours = new double[24];
        hours[5] = 2;
        WriteProfilePayload(directory, GoldenUser, new JsonObject
        {
            ["FeatureNames"] = new JsonArray("completion_ratio_30d", "dismiss_rate_30d", "mean_dwell_ms_30d", "preferred_hour", "retired_7d"),
            ["SlotCounts"] = new JsonArray(2, 2, 2, 24, 3),
            ["Slots"] = new JsonArray([3.0, 4.0, 1.0, 4.0, 1000.0, 2.0, .. hours, 9.0, 9.0, 9.0]),
        });
        await using var host = await ServiceHost.StartAsync(
            new Dictionary<string, string?>(GoldenSettings) { ["Profile:Renames:completion_ratio_30d"] = "completion_rate_30d" }, directory);

        var features = (await host.GetJsonAsync($"/users/{GoldenUser}/profile"))["features"]!;
        Assert.Equal(0.75, features.Val<double>("completion_rate_30d"));
        Assert.Equal(0.25, features.Val<double>("dismiss_rate_30d"));
        Assert.Equal(500, features.Val<double>("mean_dwell_ms_30d"));
        Assert.Equal(5, features.Val<double>("preferred_hour"));
        // New to the snapshot: from its own SQL over the log (12 views).
        Assert.Equal(12, features.Val<double>("tip_volume_30d"));

        await host.RestartAsync();
        var stored = ReadPayload(directory, "profile", GoldenUser);
        Assert.Equal(ProfileLayout, stored.Str("FeatureSet"));
        var version = Assert.Single(Values(stored["History"]!));
        Assert.Equal((3, 1, 1), (Count(version, "Kept"), Count(version, "Renamed"), Count(version, "Dropped")));
        Assert.EndsWith("added=tip_volume_30d", version.Str("Description"));
    }

    [Fact]
    public async Task An_admin_run_migrates_every_stored_user_once_and_reports_progress()
    {
        var directory = CopyGolden(withoutLog: false);
        await using var host = await ServiceHost.StartAsync(GoldenSettings, directory);
        for (var u = 0; u < 3; u++)
        {
            var user = $"mig-user-{u}";
            for (var i = 0; i < 3; i++)
            {
                var score = await host.PostJsonAsync("/score", new { user_id = user, candidates = Candidates, context = new { hour = 9 } });
                await host.PostJsonAsync("/feedback", new { event_id = $"m-{u}-{i}", user_id = user, tip_id = score.Str("chosen_tip_id"), kind = "complete", request_id = score.Str("request_id") });
            }
        }
        // Views only: no bandit snapshot, and a profile written in today's layout; nothing to migrate.
        await host.PostJsonAsync("/feedback", new { event_id = "viewer-1", user_id = "mig-viewer", tip_id = "sleep-01", kind = "view" });
        await host.RestartAsync(RenamedSettings);

        var run = await RunMigrationAsync(host);
        Assert.Equal((5L, 5L, 4L, 1L, 0L), (run.Val<long>("total"), run.Val<long>("done"), run.Val<long>("migrated"), run.Val<long>("unchanged"), run.Val<long>("failed")));
        Assert.Empty(run["errors"]!.AsArray());
        Assert.NotNull(run["finished_at"]);

        var target = new BanditFeatureSet(["category", "tip", "profile"], renames: new Dictionary<string, string> { ["cat=focus"] = "cat=concentration" });
        var bandits = ReadPayloads(directory, "bandit");
        Assert.Equal(4, bandits.Count);
        Assert.All(bandits, b => Assert.Equal(target.Id, b.Str("FeatureSet")));
        var profiles = ReadPayloads(directory, "profile");
        Assert.Equal(5, profiles.Count);
        Assert.All(profiles, p => Assert.Equal(ProfileLayout, p.Str("FeatureSet")));

        var again = await RunMigrationAsync(host);
        Assert.Equal((5L, 0L, 5L, 0L), (again.Val<long>("done"), again.Val<long>("migrated"), again.Val<long>("unchanged"), again.Val<long>("failed")));

        var missing = await host.GetJsonAsync("/admin/migrations/mig-nobody", HttpStatusCode.NotFound);
        Assert.NotNull(missing["errors"]!["id"]);
    }

    /// <summary>Starts a run and reads it until it is no longer running.</summary>
    private static async Task<JsonNode> RunMigrationAsync(ServiceHost host)
    {
        var started = await host.PostJsonAsync("/admin/migrations", new { }, HttpStatusCode.Accepted);
        var id = started.Str("id");
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var run = await host.GetJsonAsync($"/admin/migrations/{id}");
            if (run.Str("state") != "running")
            {
                Assert.Equal("completed", run.Str("state"));
                return run;
            }
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        throw new Xunit.Sdk.XunitException($"Migration {id} did not finish.");
    }

    /// <summary>A fresh copy of the golden data directory; without the log, only the snapshots can give the user's state.</summary>
    private static string CopyGolden(bool withoutLog)
    {
        var directory = TempDirectory.Create("actors-golden");
        foreach (var file in new[] { "actors.db", "grains.db" }) File.Copy(Path.Combine(GoldenDirectory, file), Path.Combine(directory, file));
        if (withoutLog)
        {
            using var connection = Open(Path.Combine(directory, "actors.db"));
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM tip_views; DELETE FROM tip_feedback; DELETE FROM event_ids; DELETE FROM tip_scores;";
            command.ExecuteNonQuery();
            command.CommandText = "SELECT (SELECT COUNT(*) FROM tip_views) + (SELECT COUNT(*) FROM tip_feedback) + (SELECT COUNT(*) FROM event_ids) + (SELECT COUNT(*) FROM tip_scores)";
            Assert.Equal(0L, (long)command.ExecuteScalar()!);
        }
        return directory;
    }

    private static SqliteConnection Open(string path)
    {
        // Unpooled, so no handle outlives the test's use of the file.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static JsonNode ReadPayload(string directory, string grainType, string user) =>
        ReadPayloads(directory, grainType, user).Single();

    /// <summary>Grain state rows of one type as the storage provider wrote them (JSON), straight from grains.db.</summary>
    private static List<JsonNode> ReadPayloads(string directory, string grainType, string? user = null)
    {
        using var connection = Open(Path.Combine(directory, "grains.db"));
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT PayloadBinary FROM OrleansStorage WHERE GrainTypeString = $type AND ($user IS NULL OR GrainIdExtensionString = $user) AND PayloadBinary IS NOT NULL";
        command.Parameters.AddWithValue("$type", grainType);
        command.Parameters.AddWithValue("$user", (object?)user ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var payloads = new List<JsonNode>();
        while (reader.Read()) payloads.Add(JsonNode.Parse((byte[])reader[0])!);
        return payloads;
    }

    /// <summary>Replaces fields of the golden profile snapshot in grains.db, keeping its row (grain id, version).</summary>
    private static void WriteProfilePayload(string directory, string user, JsonObject fields)
    {
        var payload = ReadPayload(directory, "profile", user).AsObject();
        foreach (var (name, value) in fields)
        {
            var values = value!.AsArray();
            payload[name] = new JsonObject { ["$type"] = name == "FeatureNames" ? "System.String[], System.Private.CoreLib" : name == "SlotCounts" ? "System.Int32[], System.Private.CoreLib" : "System.Double[], System.Private.CoreLib", ["$values"] = values.DeepClone() };
        }
        using var connection = Open(Path.Combine(directory, "grains.db"));
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE OrleansStorage SET PayloadBinary = $payload WHERE GrainTypeString = 'profile' AND GrainIdExtensionString = $user";
        command.Parameters.AddWithValue("$payload", System.Text.Encoding.UTF8.GetBytes(payload.ToJsonString()));
        command.Parameters.AddWithValue("$user", user);
        Assert.Equal(1, command.ExecuteNonQuery());
    }

    /// <summary>An array as the API writes it, or as the storage serializer does (an object with "$type" and "$values").</summary>
    private static List<JsonNode> Values(JsonNode array) => (array is JsonObject typed ? typed["$values"]! : array).AsArray().Select(n => n!).ToList();

    /// <summary>A count in a stored payload; the storage serializer leaves out zeros.</summary>
    private static int Count(JsonNode version, string name) => version[name]?.GetValue<int>() ?? 0;

    private static string[] Names(JsonNode array) => Values(array).Select(n => n.GetValue<string>()).ToArray();

    private static double[] Numbers(JsonNode array) => Values(array).Select(n => n.GetValue<double>()).ToArray();

    private static double Entry(JsonNode snapshot, int row, int column)
    {
        var a = Numbers(snapshot["A"]!);
        var d = Names(snapshot["FeatureNames"]!).Length;
        return a[row * d + column];
    }
}
