using System.Net;
using Actors.Grains.Options;
using Actors.Grains.Policies;
using Actors.Grains.Services;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Api;

/// <summary>A/B experiments through the public API: assignment, stickiness, results per variant, the sample-ratio check.</summary>
public sealed class ExperimentTests
{
    private const string Experiment = "lints-vs-linucb";
    private static readonly string[] Candidates = ["sleep-01", "focus-01", "movement-01"];

    private static Dictionary<string, string?> Running(double control, double treatment, string salt = "") => new()
    {
        [$"Experiments:Definitions:{Experiment}:Running"] = "true",
        [$"Experiments:Definitions:{Experiment}:Holdout"] = "0.1",
        [$"Experiments:Definitions:{Experiment}:Salt"] = salt,
        [$"Experiments:Definitions:{Experiment}:Variants:control:Weight"] = $"{control}",
        [$"Experiments:Definitions:{Experiment}:Variants:treatment:Weight"] = $"{treatment}",
    };

    [Fact]
    public async Task Users_are_assigned_by_the_hash_served_by_their_variants_policy_and_keep_their_variant_when_the_weights_change()
    {
        await using var host = await ServiceHost.StartAsync(Running(50, 50));
        var rule = Rule(Running(50, 50));
        // Looking at a user is not a request for a tip: it assigns nobody.
        Assert.Empty((await host.GetJsonAsync("/users/user-0/bandit"))["experiments"]!.AsObject());
        var first = new Dictionary<string, string>();
        for (var i = 0; i < 120; i++)
        {
            var user = $"user-{i}";
            var score = await ScoreAsync(host, user);
            var variant = score.Str("variant");
            Assert.Equal(Experiment, score.Str("experiment"));
            Assert.Equal(rule.Assign(user), variant);
            Assert.Equal(variant switch { "control" => "linucb-v1", "treatment" => "lints-v1", _ => "linucb-v1" }, score.Str("policy"));
            first[user] = variant;
        }
        Assert.Equal(3, first.Values.Distinct().Count());

        // The operator shifts traffic to the treatment: assigned users stay put, new ones follow the new split.
        await host.RestartAsync(Running(10, 90));
        var shifted = Rule(Running(10, 90));
        foreach (var (user, variant) in first) Assert.Equal(variant, (await ScoreAsync(host, user)).Str("variant"));
        Assert.Contains(first.Keys, user => shifted.Assign(user) != first[user]); // the check above had something to prove
        for (var i = 0; i < 40; i++) Assert.Equal(shifted.Assign($"new-{i}"), (await ScoreAsync(host, $"new-{i}")).Str("variant"));

        var bandit = await host.GetJsonAsync("/users/user-0/bandit");
        Assert.Equal(first["user-0"], bandit["experiments"]![Experiment]!.GetValue<string>());

        // A new salt re-randomises everyone on purpose.
        await host.RestartAsync(Running(10, 90, salt: "round-2"));
        var resalted = Rule(Running(10, 90, salt: "round-2"));
        foreach (var user in first.Keys.Take(30)) Assert.Equal(resalted.Assign(user), (await ScoreAsync(host, user)).Str("variant"));

        var result = await host.GetJsonAsync($"/admin/experiments/{Experiment}");
        Assert.Equal(30, result["sample_ratio"]!.Val<long>("users"));
        Assert.Equal(120 + 40 - 30, result.Val<long>("users_under_earlier_splits"));
    }

    [Fact]
    public async Task Results_give_each_variant_its_reward_with_an_interval_and_a_fair_split_passes_the_sample_ratio_check()
    {
        await using var host = await ServiceHost.StartAsync(Running(50, 50));
        var users = Enumerable.Range(0, 200).Select(i => $"r-{i}").ToArray();
        var events = 0;
        foreach (var user in users)
        {
            var score = await ScoreAsync(host, user);
            // Control users complete what they are served, treatment users dismiss it, the holdout does both.
            var kind = score.Str("variant") switch { "control" => "complete", "treatment" => "dismiss", _ => events % 2 == 0 ? "complete" : "dismiss" };
            await host.PostJsonAsync("/feedback", new { event_id = $"e-{events++}", user_id = user, tip_id = score.Str("chosen_tip_id"), kind, request_id = score.Str("request_id") });
        }

        var result = await host.GetJsonAsync($"/admin/experiments/{Experiment}");
        var variants = result["variants"]!.AsArray().ToDictionary(v => v!.Str("variant"), v => v!);
        Assert.Equal(200, variants.Values.Sum(v => v.Val<long>("users")));
        Assert.Equal(200, variants.Values.Sum(v => v.Val<long>("rewarded")));
        var control = variants["control"];
        Assert.Equal(1.0, control.Val<double>("mean_reward"));
        Assert.InRange(control.Val<double>("ci_low"), 0.9, 0.999);
        Assert.Equal(1.0, control.Val<double>("ci_high"), 9);
        var treatment = variants["treatment"];
        Assert.Equal(0.0, treatment.Val<double>("mean_reward"));
        Assert.InRange(treatment.Val<double>("ci_high"), 0.001, 0.1);
        Assert.Equal("lints-v1", treatment.Str("policy"));
        Assert.False(result["sample_ratio"]!.Val<bool>("mismatch"));
        Assert.True(result["sample_ratio"]!.Val<double>("p_value") > 0.001);
    }

    [Fact]
    public async Task The_sample_ratio_check_fires_when_the_recorded_split_is_skewed()
    {
        await using var host = await ServiceHost.StartAsync(Running(50, 50));
        // A broken assignment path (say, one variant's users dropped on the way): 300 control, 100 treatment.
        var store = host.App.Services.GetRequiredService<IEventStore>();
        var weights = RunningExperiment.WeightsOf(Definition(Running(50, 50)));
        for (var i = 0; i < 400; i++)
        {
            await store.AppendAssignmentAsync(new ExperimentAssignment(Experiment, $"skew-{i}", i < 300 ? "control" : "treatment", "", weights, 0));
        }

        var check = (await host.GetJsonAsync($"/admin/experiments/{Experiment}"))["sample_ratio"]!;
        Assert.True(check.Val<bool>("mismatch"));
        Assert.True(check.Val<double>("p_value") < 1e-6);
    }

    [Fact]
    public async Task Experiments_are_listed_and_an_unknown_one_is_a_404_naming_it()
    {
        await using var host = await ServiceHost.StartAsync();
        var listed = (await host.GetJsonAsync("/admin/experiments")).AsArray();
        var configured = listed.Single(e => e!.Str("name") == Experiment)!;
        Assert.False(configured.Val<bool>("running"));
        Assert.Equal(["control", "treatment"], configured["variants"]!.AsArray().Select(v => v!.Str("name")));

        var missing = await host.GetJsonAsync("/admin/experiments/nope", HttpStatusCode.NotFound);
        Assert.NotNull(missing["errors"]!["name"]);

        // Not running: nobody is assigned, /score says so.
        var score = await ScoreAsync(host, "outsider");
        Assert.Null(score["experiment"]);
        Assert.Equal("linucb-v1", score.Str("policy"));
    }

    private static Task<System.Text.Json.Nodes.JsonNode> ScoreAsync(ServiceHost host, string user) =>
        host.PostJsonAsync("/score", new { user_id = user, candidates = Candidates, context = new { hour = 9 } });

    private static ExperimentDefinition Definition(Dictionary<string, string?> overrides)
    {
        var options = new ExperimentOptions();
        new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "orleans.config.json")).AddInMemoryCollection(overrides).Build()
            .GetSection(ExperimentOptions.Section).Bind(options);
        return options.Definitions[Experiment];
    }

    private static RunningExperiment Rule(Dictionary<string, string?> overrides) => new(Experiment, Definition(overrides));
}
