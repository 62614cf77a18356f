using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Actors.Generation;
using Actors.Learning.Profile;
using Actors.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;

namespace Actors.Tests.Generation;

/// <summary>
/// A real HTTP server on loopback that speaks the chat-completions protocol and answers from a script,
/// recording every request body it receives.
/// </summary>
public sealed class ChatCompletionsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();

    private ChatCompletionsServer(WebApplication app) => _app = app;

    public ConcurrentQueue<string> Requests { get; } = new();

    public string BaseUrl { get; private set; } = "";

    public static async Task<ChatCompletionsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ChatCompletionsServer(app);
        app.MapPost("/v1/chat/completions", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            server.Requests.Enqueue(await reader.ReadToEndAsync());
            var step = server._script.TryDequeue(out var next) ? next : Reply("Default tip from the test server.");
            await step(context);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First() + "/v1";
        return server;
    }

    public void Then(Func<HttpContext, Task> step) => _script.Enqueue(step);

    public static Func<HttpContext, Task> Reply(string text, int inputTokens = 42, int outputTokens = 9) => context =>
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            id = "chatcmpl-test",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "test-model",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop" } },
            usage = new { prompt_tokens = inputTokens, completion_tokens = outputTokens, total_tokens = inputTokens + outputTokens },
        }));
    };

    public static Func<HttpContext, Task> Status(int status) => context =>
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync("""{"error": {"message": "scripted failure"}}""");
    };

    public static Func<HttpContext, Task> Delay(TimeSpan delay) => async context =>
    {
        await Task.Delay(delay, context.RequestAborted);
        await Reply("Too late to count.")(context);
    };

    public static Func<HttpContext, Task> Raw(string body) => context =>
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed class TipWriterTests
{
    private static readonly PromptContext Context = new(
        Hour: 8,
        ProfileFeatures: new Dictionary<string, double> { ["completion_rate_30d"] = 0.6 },
        RecentTips: [new RecentTip("Take the stairs today.", "movement", EventKind.Complete)],
        FavouredCategories: ["movement", "focus"]);

    private static readonly PromptTemplate Template = PromptRegistry.Load().TryGet("v1", out var t) ? t : throw new InvalidOperationException();

    private static ServiceProvider Services(string baseUrl, TimeSpan? attemptTimeout = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OPENAI_BASE_URL"] = baseUrl,
            ["OPENAI_API_KEY"] = "test-key",
            ["OPENAI_MODEL"] = "test-model",
            ["Llm:AttemptTimeout"] = (attemptTimeout ?? TimeSpan.FromSeconds(5)).ToString(),
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddTipWriter(configuration);
        return services.BuildServiceProvider();
    }

    private static Task<WrittenTip> WriteAsync(ServiceProvider services) =>
        services.GetRequiredService<TipWriter>().WriteAsync(Template, Context, "u-1", TestContext.Current.CancellationToken);

    [Fact]
    public async Task The_model_writes_the_tip_and_receives_the_rendered_context()
    {
        await using var server = await ChatCompletionsServer.StartAsync();
        server.Then(ChatCompletionsServer.Reply("Walk to the farthest printer and back.", inputTokens: 120, outputTokens: 11));
        await using var services = Services(server.BaseUrl);

        var tip = await WriteAsync(services);

        Assert.Equal(("Walk to the farthest printer and back.", TipWriter.OpenAiProvider, "test-model"), (tip.Text, tip.Provider, tip.Model));
        Assert.Equal((120, 11), (tip.InputTokens, tip.OutputTokens));
        Assert.Equal("movement", tip.Category);
        var request = JsonNode.Parse(Assert.Single(server.Requests))!;
        Assert.Equal("test-model", request["model"]!.GetValue<string>());
        var (instructions, data) = Messages(request);
        Assert.Equal(Template.Render(Context), instructions);
        Assert.Contains("60%", instructions);
        Assert.DoesNotContain("Take the stairs today.", instructions);
        Assert.Equal(Context.DataJson(), data);
        Assert.Contains("Take the stairs today.", data);
    }

    /// <summary>The two messages of a chat-completions request: the system message (instructions) and the user message (data).</summary>
    internal static (string Instructions, string Data) Messages(JsonNode request)
    {
        var messages = request["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal(("system", "user"), (messages[0]!["role"]!.GetValue<string>(), messages[1]!["role"]!.GetValue<string>()));
        return (Content(messages[0]!), Content(messages[1]!));
    }

    /// <summary>A message's text, whether sent as a string or as an array of text parts.</summary>
    private static string Content(JsonNode message) => message["content"] switch
    {
        JsonValue text => text.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p!["text"]!.GetValue<string>())),
        var other => throw new Xunit.Sdk.XunitException($"Unexpected content: {other?.ToJsonString()}"),
    };

    [Fact]
    public async Task A_rejected_answer_falls_back_and_is_counted_by_reason_on_the_generation_meter()
    {
        await using var server = await ChatCompletionsServer.StartAsync();
        server.Then(ChatCompletionsServer.Reply("Visit https://evil.example/tips for a free plan."));
        await using var services = Services(server.BaseUrl);
        using var rejected = new MetricCollector<long>(
            services.GetRequiredService<IMeterFactory>(), GenerationMetrics.MeterName, GenerationMetrics.RejectedTipsInstrument);

        var tip = await WriteAsync(services);

        Assert.Equal(TipWriter.FallbackProvider, tip.Provider);
        var measurement = Assert.Single(rejected.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal(TipRejection.Url, measurement.Tags["reason"]);
        Assert.Equal("v1", measurement.Tags["prompt_version"]);
        Assert.Equal(1, services.GetRequiredService<GenerationMetrics>().RejectionsOf("v1")[TipRejection.Url]);
    }

    [Fact]
    public async Task A_429_is_retried_and_then_succeeds()
    {
        await using var server = await ChatCompletionsServer.StartAsync();
        server.Then(ChatCompletionsServer.Status(429));
        server.Then(ChatCompletionsServer.Reply("Drink a glass of water now."));
        await using var services = Services(server.BaseUrl);

        var tip = await WriteAsync(services);

        Assert.Equal(TipWriter.OpenAiProvider, tip.Provider);
        Assert.Equal("Drink a glass of water now.", tip.Text);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Repeated_500s_end_in_the_fallback()
    {
        await using var server = await ChatCompletionsServer.StartAsync();
        for (var i = 0; i < 5; i++) server.Then(ChatCompletionsServer.Status(500));
        await using var services = Services(server.BaseUrl);

        var tip = await WriteAsync(services);

        Assert.Equal(TipWriter.FallbackProvider, tip.Provider);
        Assert.Equal(OfflineTipGenerator.Generate(Context, "v1", "u-1").Text, tip.Text);
        Assert.Equal(3, server.Requests.Count); // the first attempt and two retries
    }

    [Fact]
    public async Task After_repeated_failures_the_circuit_opens_and_calls_stop_reaching_the_server()
    {
        await using var server = await ChatCompletionsServer.StartAsync();
        for (var i = 0; i < 60; i++) server.Then(ChatCompletionsServer.Status(503));
        await using var services = Services(server.BaseUrl);

        // Four calls of three attempts each: twelve failures, past the breaker's minimum of ten.
        for (var i = 0; i < 4; i++) Assert.Equal(TipWriter.FallbackProvider, (await WriteAsync(services)).Provider);
        var reached = server.Requests.Count;
        Assert.InRange(reached, 10, 12);

        var whileOpen = await WriteAsync(services);

        Assert.Equal(TipWriter.FallbackProvider, whileOpen.Provider);
        Assert.Equal(reached, server.Requests.Count);
    }

    [Fact]
    public async Task A_timeout_ends_in_the_fallback()
    {
        await using var server = await ChatCompletionsServer.StartAsync();
        for (var i = 0; i < 3; i++) server.Then(ChatCompletionsServer.Delay(TimeSpan.FromSeconds(5)));
        await using var services = Services(server.BaseUrl, attemptTimeout: TimeSpan.FromMilliseconds(300));

        var tip = await WriteAsync(services);

        Assert.Equal(TipWriter.FallbackProvider, tip.Provider);
        Assert.False(string.IsNullOrWhiteSpace(tip.Text));
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("""{"choices": "nope"}""")]
    public async Task A_malformed_body_ends_in_the_fallback(string body) =>
        Assert.Equal(TipWriter.FallbackProvider, (await WriteOnceAsync(ChatCompletionsServer.Raw(body))).Provider);

    [Theory]
    [InlineData("")]
    [InlineData("As an AI language model, I cannot give advice.")]
    [InlineData("First line.\nSecond line.")]
    public async Task Output_that_is_not_a_tip_ends_in_the_fallback(string text) =>
        Assert.Equal(TipWriter.FallbackProvider, (await WriteOnceAsync(ChatCompletionsServer.Reply(text))).Provider);

    [Fact]
    public async Task Too_long_output_ends_in_the_fallback() =>
        Assert.Equal(TipWriter.FallbackProvider, (await WriteOnceAsync(ChatCompletionsServer.Reply(new string('x', 400)))).Provider);

    /// <summary>One tip written against a server that answers the first request with <paramref name="answer"/>.</summary>
    private static async Task<WrittenTip> WriteOnceAsync(Func<HttpContext, Task> answer)
    {
        await using var server = await ChatCompletionsServer.StartAsync();
        server.Then(answer);
        await using var services = Services(server.BaseUrl);
        return await WriteAsync(services);
    }

    [Fact]
    public async Task Without_an_endpoint_the_offline_generator_writes()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection().AddLogging();
        services.AddTipWriter(configuration);
        await using var provider = services.BuildServiceProvider();

        var tip = await provider.GetRequiredService<TipWriter>().WriteAsync(Template, Context, "u-1", TestContext.Current.CancellationToken);

        Assert.Equal(OfflineTipGenerator.Provider, tip.Provider);
    }
}
