using Actors.Gateway.Json;
using Actors.Generation;
using Actors.Silo;
using Actors.Silo.EventStore;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Actors.Gateway.Apis;

/// <summary>
/// GET /admin/analytics/prompts compares prompt versions: how many tips each generated, how often they
/// were served, completed and dismissed, the completion rate with a 95 % Wilson interval, mean dwell and
/// tokens. Every registered version is listed, with zeros when it has no data yet.
/// </summary>
public static class AnalyticsApi
{
    public static IEndpointRouteBuilder MapAnalyticsApi(this IEndpointRouteBuilder app)
    {
        var analytics = app.MapGroup("/admin/analytics").WithTags("Admin");
        analytics.MapGet("/prompts", GetPromptAnalyticsAsync)
            .WithName("GetPromptAnalytics")
            .WithSummary("Per prompt version: generated, shown, completed, dismissed, completion rate with a 95 % interval, mean dwell, tokens.");
        return app;
    }

    /// <remarks>
    /// <see cref="PromptAnalytics"/> is built per request rather than registered: it holds only a connection
    /// string, and the connections themselves are pooled.
    /// </remarks>
    public static async Task<Ok<PromptAnalyticsResponse>> GetPromptAnalyticsAsync(PromptRegistry registry, IOptions<StorageOptions> storage)
    {
        var stats = await new PromptAnalytics(storage.Value.EventDatabasePath).ReadAsync(registry.Versions);
        return TypedResults.Ok(new PromptAnalyticsResponse(stats));
    }
}
