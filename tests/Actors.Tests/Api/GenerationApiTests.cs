using System.Net;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Api;

/// <summary>/generate on the offline generator and /prompts, over real HTTP.</summary>
public sealed class GenerationApiTests(SharedHostFixture fixture) : IClassFixture<SharedHostFixture>
{
    private ServiceHost Host => fixture.Host;

    [Fact]
    public async Task Prompts_lists_the_shipped_versions()
    {
        var prompts = await Host.GetJsonAsync("/prompts");

        var versions = prompts["prompt_versions"]!.AsArray().Select(p => p!.Str("version")).ToArray();
        Assert.Contains("v1", versions);
        Assert.Contains("v2", versions);
    }

    [Fact]
    public async Task A_generated_tip_joins_the_catalog_and_a_decision_serving_it_records_its_prompt_version()
    {
        var generated = await Host.PostJsonAsync("/generate", new { user_id = "gen-user-1", prompt_version = "v2", context = new { hour = 8 } });

        Assert.Equal("v2", generated.Str("prompt_version"));
        Assert.Equal("offline", generated.Str("provider"));
        Assert.False(string.IsNullOrWhiteSpace(generated.Str("text")));
        var tipId = generated.Str("tip_id");
        var listed = (await Host.ListTipsAsync()).Single(t => t!.Str("tip_id") == tipId)!;
        Assert.Equal("generated", listed.Str("source"));
        Assert.Equal("v2", listed.Str("prompt_version"));

        var score = await Host.PostJsonAsync("/score", new { user_id = "gen-user-1", candidates = new[] { tipId } });
        Assert.Equal(tipId, score.Str("chosen_tip_id"));
        // The log is one FIFO queue: once this event is acknowledged, the decision before it is written.
        await Host.PostJsonAsync("/feedback", new { event_id = "gen-ev-1", user_id = "gen-user-1", tip_id = tipId, kind = "complete", request_id = score.Str("request_id") });
        var logged = ValidationDb.Strings(Host.DataDirectory, "SELECT prompt_version FROM tip_scores WHERE request_id = $id", ("$id", score.Str("request_id")));
        Assert.Equal(["v2"], logged);
    }

    [Fact]
    public async Task An_unknown_prompt_version_is_a_400_listing_the_known_ones()
    {
        using var response = await Host.Client.PostAsync("/generate",
            new StringContent("""{"user_id": "gen-user-2", "prompt_version": "v99"}""", System.Text.Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        var problem = await ServiceHost.ReadAsync(response, HttpStatusCode.BadRequest);
        var message = problem["errors"]!["prompt_version"]![0]!.GetValue<string>();
        Assert.Contains("v1", message);
        Assert.Contains("v2", message);
    }

    [Fact]
    public async Task Tip_prompt_version_in_the_environment_chooses_when_the_request_does_not()
    {
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?> { ["TIP_PROMPT_VERSION"] = "v2" });

        var generated = await host.PostJsonAsync("/generate", new { user_id = "gen-user-3" });
        var asked = await host.PostJsonAsync("/generate", new { user_id = "gen-user-3", prompt_version = "v1" });

        Assert.Equal("v2", generated.Str("prompt_version"));
        Assert.Equal("v1", asked.Str("prompt_version")); // the body wins over the environment
    }

    [Fact]
    public async Task An_unknown_version_in_the_environment_stops_the_start()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            ServiceHost.StartAsync(new Dictionary<string, string?> { ["TIP_PROMPT_VERSION"] = "v1,v404" }));

        Assert.Contains("v404", error.ToString());
    }
}

/// <summary>/generate against an OpenAI-compatible server on loopback: the model's tip, and its usage per prompt version.</summary>
public sealed class GenerationWithModelTests
{
    [Fact]
    public async Task A_model_written_tip_records_tokens_and_cost_for_its_prompt_version()
    {
        await using var model = await Generation.ChatCompletionsServer.StartAsync();
        model.Then(Generation.ChatCompletionsServer.Reply("Stretch your calves against a wall for a minute.", inputTokens: 300, outputTokens: 20));
        await using var host = await ServiceHost.StartAsync(new Dictionary<string, string?>
        {
            ["OPENAI_BASE_URL"] = model.BaseUrl,
            ["OPENAI_API_KEY"] = "test-key",
            ["OPENAI_MODEL"] = "priced-model",
            ["Llm:Prices:priced-model:InputPerMillion"] = "2",
            ["Llm:Prices:priced-model:OutputPerMillion"] = "8",
        });

        var generated = await host.PostJsonAsync("/generate", new { user_id = "model-user", prompt_version = "v2" });

        Assert.Equal("openai", generated.Str("provider"));
        Assert.Equal("priced-model", generated.Str("model"));
        Assert.Equal("Stretch your calves against a wall for a minute.", generated.Str("text"));
        Assert.Single(model.Requests);
        // The log is one FIFO queue: once this event is acknowledged, the usage row queued before it is written.
        await host.PostJsonAsync("/feedback", new { event_id = "model-ev", user_id = "model-user", tip_id = generated.Str("tip_id"), kind = "view" });
        var row = ValidationDb.Strings(host.DataDirectory,
            "SELECT prompt_version || ',' || provider || ',' || input_tokens || ',' || output_tokens || ',' || printf('%.6f', cost) FROM llm_usage");
        Assert.Equal(["v2,openai,300,20,0.000760"], row);
        var analytics = await host.GetJsonAsync("/admin/analytics/prompts");
        var v2 = analytics["prompt_versions"]!.AsArray().Single(p => p!.Str("prompt_version") == "v2")!;
        Assert.Equal(320, v2.Val<long>("tokens"));
        Assert.Equal(1, v2.Val<long>("generated"));
    }
}
