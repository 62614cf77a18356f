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
/// tokens. Every registered version is listed, with zeros when it has no data yet. GET
/// /admin/analytics/generation counts, per version, the model answers rejected as tips, by reason.
/// </summary>
public static class AnalyticsApi
{
    public static IEndpointRouteBuilder MapAnalyticsApi(this IEndpointRouteBuilder app)
    {
        var analytics = app.MapGroup("/admin/analytics").WithTags("Admin");
        analytics.MapGet("/prompts", GetPromptAnalyticsAsync)
            .WithName("GetPromptAnalytics")
            .WithSummary("Per prompt version: generated, shown, completed, dismissed, completion rate with a 95 % interval, mean dwell, tokens.");
        analytics.MapGet("/generation", GetGenerationAnalytics)
            .WithName("GetGenerationAnalytics")
            .WithSummary("Per prompt version: the model answers rejected as tips, by reason, since this process started.");
        return app;
    }

    /// <summary>
    /// Read from memory, not the store: the rejections are counted as they happen (also as the
    /// actors.generation.rejected_tips counter), so this covers this process since <c>since</c>.
    /// </summary>
    public static Ok<GenerationAnalyticsResponse> GetGenerationAnalytics(PromptRegistry registry, GenerationMetrics metrics) =>
        TypedResults.Ok(new GenerationAnalyticsResponse(metrics.Since, registry.Versions.Select(version =>
        {
            var rejections = metrics.RejectionsOf(version);
            return new PromptRejections(version, rejections.Values.Sum(), rejections);
        }).ToArray()));

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
