using System.Text;
using System.Text.Json.Nodes;
using Actors.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Actors.Tests.Api;

/// <summary>
/// The attacks of the security review on a user's model (issue 15, items 1, 2 and 4), and the population prior
/// (issue 10, point 2), through the real service.
/// </summary>
public sealed class ModelSafetyTests
{
    [Fact]
    public async Task Floods_of_new_feature_names_cannot_grow_a_users_model_past_its_bound()
    {
        const int maxDimension = 48;
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?> { ["Bandit:MaxDimension"] = $"{maxDimension}" });
        var counter = 0;
        for (var round = 0; round < 6; round++)
        {
            // 200 inline candidates, each with a new category and 30 new feature names (the review's attack, within today's request limits).
            var candidates = Enumerable.Range(0, 200).Select(i => new
            {
                tip_id = $"flood-{round}-{i}",
                category = $"cat-{round}-{i}",
                features = Enumerable.Range(0, 30).ToDictionary(f => $"f{round}x{i}x{f}", f => 0.5),
            }).ToArray();
            var score = await host.PostJsonAsync("/score", new { user_id = "mallory", candidates });
            var requestId = score.Str("request_id");
            foreach (var tip in score["ranked"]!.AsArray().Take(20))
            {
                await host.PostJsonAsync("/feedback", new { event_id = $"flood-{++counter}", user_id = "mallory", tip_id = tip!.Str("tip_id"), kind = "complete", request_id = requestId });
            }
        }

        var bandit = await host.GetJsonAsync("/users/mallory/bandit");
        Assert.Equal(120, bandit.Val<long>("updates"));
        Assert.InRange(bandit["feature_names"]!.AsArray().Count, 1, maxDimension);

        // The bound holds for the stored model too, and nobody else's model saw any of it.
        await host.RestartAsync();
        Assert.InRange((await host.GetJsonAsync("/users/mallory/bandit"))["feature_names"]!.AsArray().Count, 1, maxDimension);
        Assert.Empty((await host.GetJsonAsync("/users/bystander/bandit"))["feature_names"]!.AsArray());
    }

    [Fact]
    public async Task A_stored_model_that_is_not_finite_is_rebuilt_from_the_log_instead_of_failing()
    {
        var directory = GoldenCopy();
        // Poison the golden user's stored design matrix, as a model from before updates were checked could be.
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "grains.db")};Pooling=False"))
        {
            connection.Open();
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT PayloadBinary FROM OrleansStorage WHERE GrainTypeString = 'bandit' AND GrainIdExtensionString = 'golden-user'";
            var payload = Encoding.UTF8.GetString((byte[])read.ExecuteScalar()!);
            var poisoned = payload.Replace("\"$values\":[13.0,", "\"$values\":[NaN,", StringComparison.Ordinal);
            Assert.NotEqual(payload, poisoned);
            using var write = connection.CreateCommand();
            write.CommandText = "UPDATE OrleansStorage SET PayloadBinary = $p WHERE GrainTypeString = 'bandit' AND GrainIdExtensionString = 'golden-user'";
            write.Parameters.AddWithValue("$p", Encoding.UTF8.GetBytes(poisoned));
            Assert.Equal(1, write.ExecuteNonQuery());
        }

        await using var host = await ServiceHost.StartAsync(dataDirectory: directory);
        var bandit = await host.GetJsonAsync("/users/golden-user/bandit");
        // All 12 rewards of the golden log were learned again, and every weight is a number.
        Assert.Equal(12, bandit.Val<long>("updates"));
        Assert.All(bandit["weights"]!.AsObject(), w => Assert.True(double.IsFinite(w.Value!.GetValue<double>()), w.Key));
        var score = await host.PostJsonAsync("/score", new { user_id = "golden-user", candidates = new[] { "sleep-01", "focus-02", "movement-03" } });
        Assert.All(score["ranked"]!.AsArray(), r => Assert.True(double.IsFinite(r!.Val<double>("score"))));
    }

    [Fact]
    public async Task A_new_user_starts_from_what_the_population_taught()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?>
        {
            ["Snapshots:Interval"] = "00:00:01",
            ["Bandit:Prior:Strength"] = "4",
            ["Bandit:Prior:RefreshInterval"] = "00:00:01",
            // Greedy on the posterior mean, so the ranking reads the prior's mean directly.
            ["Policies:Live"] = "egreedy-v1",
        });
        var catalog = (await host.GetJsonAsync("/tips?limit=100")) is JsonArray list ? list : (await host.GetJsonAsync("/tips?limit=100"))["tips"]!.AsArray();
        // Ten tips of one category, so only the tips' own terms tell them apart; the fourth is good for everyone.
        var tips = catalog.GroupBy(t => t!.Str("category")).First(g => g.Count() >= 8).Take(8).Select(t => t!.Str("tip_id")).ToArray();
        var good = tips[3];

        var before = await host.PostJsonAsync("/score", new { user_id = "newcomer-0", candidates = tips, context = new { hour = 10 } });
        Assert.Single(before["ranked"]!.AsArray().Select(r => r!.Val<double>("score")).Distinct());

        var counter = 0;
        for (var user = 0; user < 12; user++)
        {
            for (var round = 0; round < 8; round++)
            {
                var id = $"teacher-{user}";
                var score = await host.PostJsonAsync("/score", new { user_id = id, candidates = tips, context = new { hour = 10 } });
                var served = score.Str("chosen_tip_id");
                await host.PostJsonAsync("/feedback", new { event_id = $"t-{++counter}", user_id = id, tip_id = served, kind = served == good ? "complete" : "dismiss", request_id = score.Str("request_id") });
            }
        }

        // Snapshots flush every second; the prior grain re-estimates every second and each silo's copy follows.
        JsonNode prior = null!;
        for (var attempt = 0; attempt < 160; attempt++)
        {
            prior = await host.GetJsonAsync("/admin/prior?limit=1000");
            if (prior.Val<long>("rewards") >= 96) break;
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
        Assert.Equal(96, prior.Val<long>("rewards"));
        var terms = prior["terms"]!.AsArray().ToDictionary(t => t!.Str("name"), t => t!.Val<double>("mean"));
        Assert.All(tips.Where(t => t != good), t => Assert.True(terms[$"tip={good}"] > terms.GetValueOrDefault($"tip={t}")));

        // A silo's copy refreshes in the background when a request finds it older than RefreshInterval, so the
        // first newcomers may still see an older copy: each attempt is a new user, none of them ever rewarded.
        Dictionary<string, double> values = [];
        var newcomer = 0;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            var after = await host.PostJsonAsync("/score", new { user_id = $"newcomer-{++newcomer}", candidates = tips, context = new { hour = 10 } });
            values = after["ranked"]!.AsArray().ToDictionary(r => r!.Str("tip_id"), r => r!.Val<double>("score"));
            if (values.Where(v => v.Key != good).All(v => values[good] > v.Value + 1e-9)) break;
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
        // Strictly above every other tip: without the prior a new user's scores all tie.
        Assert.All(values.Where(v => v.Key != good), v => Assert.True(values[good] > v.Value + 1e-9, $"{good} {values[good]} vs {v.Key} {v.Value}"));
        Assert.Equal(0, (await host.GetJsonAsync($"/users/newcomer-{newcomer}/bandit")).Val<long>("updates"));
    }

    /// <summary>A copy of the data directory captured from the service before the model changed (see tests/Actors.Tests/Golden/v1).</summary>
    internal static string GoldenCopy()
    {
        var directory = TempDirectory.Create("actors-golden");
        foreach (var file in new[] { "actors.db", "grains.db" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Golden", "v1", file), Path.Combine(directory, file));
        }
        return directory;
    }
}
