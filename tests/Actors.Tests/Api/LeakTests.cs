using System.Net;
using System.Text.Json.Nodes;
using Actors.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Actors.Tests.Api;

/// <summary>
/// Issue 15, point 8: no Server header, X-Content-Type-Options: nosniff on every answer, errors that name no
/// internal type, exception or stack, and user ids that read back as they were written.
/// </summary>
public sealed class LeakTests(SharedHostFixture fixture) : IClassFixture<SharedHostFixture>
{
    private ServiceHost Host => fixture.Host;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>What an answer must never contain: .NET type names, exception names, stack frames.</summary>
    private static readonly string[] Internals = ["Actors.", "System.", "Microsoft.", ".NET", "Exception", "   at ", "Path: $"];

    public static TheoryData<string, string, string?> Answers => new()
    {
        { "GET", "/tips", null },
        { "POST", "/score", """{"user_id": "l-1", "candidates": ["sleep-01"]}""" },
        { "POST", "/score", "not json" },
        { "POST", "/feedback", """{"event_id": "l-e", "user_id": "l-1", "tip_id": "sleep-01", "kind": "click"}""" },
        { "GET", "/no-such-path", null },
        { "GET", "/users/l-1/profile", null },
        { "GET", "/openapi/v1.json", null },
        { "GET", "/health/live", null },
        { "DELETE", "/score", null },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Every_answer_has_nosniff_and_no_Server_header(string method, string path, string? body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await Host.Client.SendAsync(request, Cancel);

        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.False(response.Headers.Contains("Server"), $"Server: {string.Join(", ", response.Headers.Server)}");
    }

    /// <summary>Bodies that System.Text.Json refuses with messages naming the wire types (issue 15, point 8).</summary>
    [Theory]
    [InlineData("/score", """{"user_id": "l-2", "candidates": ["sleep-01"], "context": 5}""", "context", "wrong JSON type")]
    [InlineData("/score", """{"user_id": "l-2", "candidates": ["sleep-01"], "context": {"hour": "9"}}""", "context.hour", "wrong JSON type")]
    [InlineData("/score", """{"user_id": 42, "candidates": ["sleep-01"]}""", "user_id", "wrong JSON type")]
    [InlineData("/score", """{"user_id": "l-2", "candidates": {"a": 1}}""", "candidates", "wrong JSON type")]
    [InlineData("/score", """{"user_id": "l-2", "candidates": ["sleep-01"], "profile_features": [1]}""", "profile_features", "wrong JSON type")]
    [InlineData("/score", """{"user_id": "l-2", "candidates": ["sleep-01"], "colour": "red"}""", "colour", "not a known field")]
    [InlineData("/feedback", """{"event_id": "l-e2", "user_id": "l-2", "tip_id": "sleep-01", "kind": "view", "dwell_ms": "long"}""", "dwell_ms", "wrong JSON type")]
    [InlineData("/feedback", """{"event_id": "l-e3", "user_id": "l-2", "tip_id": "sleep-01", "kind": "view", "dwell": 5}""", "dwell", "not a known field")]
    [InlineData("/feedback", """[{"event_id": "l-e4", "user_id": ["l-2"], "tip_id": "sleep-01", "kind": "view"}]""", "[0].user_id", "wrong JSON type")]
    [InlineData("/generate", """{"user_id": "l-2", "context": []}""", "context", "wrong JSON type")]
    public async Task A_body_of_the_wrong_shape_is_named_in_JSON_terms_without_internal_types(string path, string body, string field, string says)
    {
        using var response = await Host.PostRawAsync(path, body);
        var text = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = JsonNode.Parse(text)!["errors"]![field]![0]!.GetValue<string>();
        Assert.Contains(says, message);
        Assert.All(Internals, name => Assert.DoesNotContain(name, text));
    }

    /// <summary>
    /// An unhandled exception in Development (where ASP.NET Core would show the developer exception page) is a
    /// 500 problem with the trace id only: no exception type, message or stack, and the headers still set.
    /// </summary>
    [Fact]
    public async Task An_unhandled_exception_names_no_type_message_or_stack_even_in_Development()
    {
        await using var host = await ServiceHost.StartAsync(
            new Dictionary<string, string?> { ["Orleans:Dashboard"] = "true" },
            configure: builder =>
            {
                builder.Environment.EnvironmentName = Microsoft.Extensions.Hosting.Environments.Development;
                builder.Services.AddSingleton<IStartupFilter, ThrowingEndpoint>();
            });

        using var response = await host.Client.GetAsync(ThrowingEndpoint.Path, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonNode.Parse(text)!["traceId"] is not null, text);
        Assert.DoesNotContain(ThrowingEndpoint.Secret, text);
        Assert.All(Internals, name => Assert.DoesNotContain(name, text));
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.False(response.Headers.Contains("Server"));

        using var dashboard = await host.Client.GetAsync("/dashboard", Cancel);
        Assert.Equal(["nosniff"], dashboard.Headers.GetValues("X-Content-Type-Options"));
        Assert.False(dashboard.Headers.Contains("Server"));
    }

    /// <summary>
    /// Ids with characters that need percent-encoding in a path still read back through /users/{user_id}/profile
    /// when the caller encodes them as a path segment (Uri.EscapeDataString, encodeURIComponent).
    /// </summary>
    [Theory]
    [InlineData("l-percent-%2F-literal")]
    [InlineData("l space")]
    [InlineData("l-ünïcødé")]
    [InlineData("l?query#fragment")]
    [InlineData("l+plus&amp")]
    [InlineData("l.")]
    [InlineData("l\\backslash")]
    public async Task A_user_id_that_can_be_written_can_be_read_back(string userId)
    {
        var receipt = await Host.PostJsonAsync("/feedback", new { event_id = $"l-rb-{Guid.NewGuid():N}", user_id = userId, tip_id = "sleep-01", kind = "view" });
        Assert.False(receipt.Val<bool>("duplicate"));

        var profile = await Host.GetJsonAsync($"/users/{Uri.EscapeDataString(userId)}/profile");

        Assert.Equal(userId, profile.Str("user_id"));
        Assert.Equal(1, profile["features"]!.Val<double>("tip_volume_30d"));
    }

    [Theory]
    [InlineData("/users/%E2%80%AEl-evil/profile")]
    [InlineData("/users/l%E2%80%8B/bandit")]
    [InlineData("/users/%2E%2E/profile")]
    public async Task A_user_id_in_the_path_follows_the_same_rules(string path)
    {
        using var response = await Host.Client.GetAsync(path, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        // ".." is removed by the server's path normalisation before routing: no user named ".." is reachable.
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{(int)response.StatusCode}: {text}");
        if (response.StatusCode == HttpStatusCode.BadRequest) Assert.NotNull(JsonNode.Parse(text)!["errors"]!["user_id"]);
    }

    /// <summary>Adds, after the application's pipeline, a path whose handler throws, so the exception handler meets a real exception.</summary>
    private sealed class ThrowingEndpoint : IStartupFilter
    {
        public const string Path = "/test-only/throw";
        public const string Secret = "connection string Data Source=/secret/actors.db";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Map(Path, branch => branch.Run(_ => throw new InvalidOperationException(Secret)));
        };
    }
}
