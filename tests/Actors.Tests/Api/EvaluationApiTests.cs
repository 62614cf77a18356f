using System.Net;
using System.Text.Json.Nodes;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Api;

/// <summary>
/// GET /admin/evaluation over real HTTP: a service serving uniformly at random logs decisions, simulated users
/// complete tips of one category far more often than the rest (a truth only this test knows), and the
/// endpoint estimates policies' values from that log.
/// </summary>
public sealed class EvaluationApiTests
{
    private const int Users = 36, RoundsPerUser = 25;

    [Fact]
    public async Task Estimates_from_uniform_logs_recover_the_uniform_value_and_rank_a_learning_policy_above_it()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?> { ["Policies:Live"] = "uniform-v1" });
        var tips = (await host.ListTipsAsync());
        var candidates = tips.GroupBy(t => t!.Str("category")).Select(g => g.First()!.Str("tip_id")).ToArray();
        var categoryOf = tips.ToDictionary(t => t!.Str("tip_id"), t => t!.Str("category"));
        double Completion(string tipId) => categoryOf[tipId] == "focus" ? 0.9 : 0.1;
        // Uniform serving: every candidate alike, so its true value is the mean completion probability.
        var uniformTruth = candidates.Average(Completion);
        Assert.Equal(7, candidates.Length);

        await Task.WhenAll(Enumerable.Range(0, Users).Select(async u =>
        {
            var random = new Random(100 + u);
            var userId = $"eval-user-{u}";
            for (var round = 0; round < RoundsPerUser; round++)
            {
                var shuffled = candidates.OrderBy(_ => random.Next()).ToArray();
                var score = await host.PostJsonAsync("/score", new { user_id = userId, candidates = shuffled, context = new { hour = random.Next(24) } });
                Assert.Equal("uniform-v1", score.Str("policy"));
                var chosen = score.Str("chosen_tip_id");
                var kind = random.NextDouble() < Completion(chosen) ? "complete" : "dismiss";
                await host.PostJsonAsync("/feedback", new { event_id = $"{userId}-{round}", user_id = userId, tip_id = chosen, kind, request_id = score.Str("request_id") });
            }
        }));

        var uniform = await host.GetJsonAsync("/admin/evaluation?policy=uniform-v1");
        var linucb = await host.GetJsonAsync("/admin/evaluation?policy=linucb-v1");

        Assert.Equal("uniform-v1", uniform.Str("policy"));
        Assert.Equal(Users * RoundsPerUser, uniform.Val<int>("n"));
        var loggingValue = uniform.Val<double>("logging_value");
        // The target is the logging policy: every weight is 1, so IPS is exactly the observed mean.
        Assert.Equal(loggingValue, Estimate(uniform, "ips").Value, 9);
        foreach (var name in new[] { "ips", "snips", "dr" })
        {
            var e = Estimate(uniform, name);
            Assert.InRange(loggingValue, e.Low, e.High);
            // A 95 % interval misses the truth one run in twenty, and the service's draws are not seeded; twice
            // the half-width on either side (about four standard errors) misses it about once in twenty thousand.
            var halfWidth = (e.High - e.Low) / 2;
            Assert.True(Math.Abs(e.Value - uniformTruth) <= 2 * halfWidth, $"{name} {e} vs true value {uniformTruth:F4}");
        }

        // LinUCB replayed on the same log learns each user's taste for focus and is estimated well above uniform.
        Assert.Equal("linucb-v1", linucb.Str("policy"));
        Assert.Equal(Users * RoundsPerUser, linucb.Val<int>("n"));
        Assert.Equal(loggingValue, linucb.Val<double>("logging_value"));
        Assert.True(Estimate(linucb, "dr").Low > Estimate(uniform, "dr").High, $"LinUCB {linucb["estimates"]!.ToJsonString()}, uniform {uniform["estimates"]!.ToJsonString()}");
        Assert.True(Estimate(linucb, "ips").Low > Estimate(uniform, "ips").High, $"LinUCB {linucb["estimates"]!.ToJsonString()}, uniform {uniform["estimates"]!.ToJsonString()}");

        // Seeded: the same log gives the same answer.
        Assert.Equal(linucb.ToJsonString(), (await host.GetJsonAsync("/admin/evaluation?policy=linucb-v1")).ToJsonString());
    }

    [Fact]
    public async Task An_empty_log_gives_n_0_and_no_estimates_and_a_missing_or_unknown_policy_is_a_problem_naming_policy()
    {
        await using var host = await ServiceHost.StartAsync();

        var empty = await host.GetJsonAsync("/admin/evaluation?policy=egreedy-v1");

        Assert.Equal("egreedy-v1", empty.Str("policy"));
        Assert.Equal(0, empty.Val<int>("n"));
        Assert.Null(empty["logging_value"]);
        Assert.Equal(["ips", "snips", "dr"], empty["estimates"]!.AsObject().Select(p => p.Key));
        Assert.All(empty["estimates"]!.AsObject(), p => Assert.Null(p.Value));

        await AssertProblemNamingPolicyAsync(host, "/admin/evaluation", HttpStatusCode.BadRequest);
        await AssertProblemNamingPolicyAsync(host, "/admin/evaluation?policy=", HttpStatusCode.BadRequest);
        var unknown = await AssertProblemNamingPolicyAsync(host, "/admin/evaluation?policy=no-such-policy", HttpStatusCode.NotFound);
        Assert.Contains("linucb-v1", unknown);
    }

    private static (double Value, double Low, double High) Estimate(JsonNode evaluation, string name)
    {
        var e = evaluation["estimates"]![name]!;
        return (e.Val<double>("value"), e.Val<double>("ci_low"), e.Val<double>("ci_high"));
    }

    /// <summary>Asserts the status and a problem+json body whose errors name <c>policy</c>; returns the first message.</summary>
    private static async Task<string> AssertProblemNamingPolicyAsync(ServiceHost host, string path, HttpStatusCode status)
    {
        using var response = await host.Client.GetAsync(path, TestContext.Current.CancellationToken);
        var problem = await ServiceHost.ReadAsync(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)status, problem.Val<int>("status"));
        return problem["errors"]!["policy"]![0]!.GetValue<string>();
    }
}
