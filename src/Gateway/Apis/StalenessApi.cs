using Actors.Gateway.Json;
using Actors.Grains.Options;
using Actors.Grains.Staleness;
using Actors.Learning.Profile;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Actors.Gateway.Apis;

/// <summary>
/// GET /admin/staleness: how old the profile features of the users active in the cluster are, who is
/// stale and why, the latest refresh failures, and the alerts the configured thresholds raise.
/// </summary>
public static class StalenessApi
{
    public static IEndpointRouteBuilder MapStalenessApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/staleness", GetStalenessAsync)
            .WithName("GetStaleness")
            .WithSummary("Profile feature ages across the cluster: counts, percentiles, the stalest users, recent refresh failures and active alerts.")
            .WithTags("Admin");
        return app;
    }

    public static async Task<Ok<StalenessResponse>> GetStalenessAsync(
        StalenessMonitor monitor, IOptions<ProfileOptions> profile, IOptions<StalenessOptions> staleness)
    {
        var report = await monitor.ReportAsync();
        var options = staleness.Value;
        return TypedResults.Ok(new StalenessResponse(
            At(report.AtMs),
            report.Silos,
            report.Tracked,
            report.Stale,
            report.RefreshFailed,
            report.Dropped,
            profile.Value.StaleAfter.TotalSeconds,
            new FeatureAgeResponse(
                ProfileFeatureRegistry.All.Select(f => f.Name).ToArray(),
                Seconds(report.Ages?.P50Ms), Seconds(report.Ages?.P90Ms), Seconds(report.Ages?.P99Ms), Seconds(report.Ages?.MaxMs)),
            report.Stalest.Select(ToResponse).ToArray(),
            report.RecentFailures.Select(f => new RefreshFailureResponse(At(f.AtMs), f.UserId, f.Error)).ToArray(),
            report.FailuresTotal,
            report.Alerts.Select(a => new AlertResponse(a.Level, a.Rule, a.Value, a.Threshold)).ToArray(),
            new AlertThresholdsResponse(ToResponse(options.Warning), ToResponse(options.Critical))));
    }

    public static StaleUserResponse ToResponse(TrackedProfile user) =>
        new(user.UserId, user.AgeMs / 1000.0, At(user.ComputedAtMs), user.Stale, user.Reason, user.Error);

    private static ThresholdResponse ToResponse(StalenessThresholds thresholds) =>
        new(thresholds.StaleShare, thresholds.MaxAge.TotalSeconds);

    private static double? Seconds(long? ms) => ms / 1000.0;

    private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
