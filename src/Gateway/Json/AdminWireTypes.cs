namespace Actors.Gateway.Json;

// Wire types of GET /admin/staleness and GET /admin/users/{user_id}. Ages are in seconds.

/// <summary>GET /admin/staleness: the cluster's profile feature ages, the stalest users, recent refresh failures and active alerts.</summary>
public sealed record StalenessResponse(
    DateTimeOffset At,
    int Silos,
    int TrackedUsers,
    int StaleUsers,
    int RefreshFailedUsers,
    long DroppedReports,
    double StaleAfterSeconds,
    FeatureAgeResponse FeatureAgeSeconds,
    IReadOnlyList<StaleUserResponse> StalestUsers,
    IReadOnlyList<RefreshFailureResponse> RecentRefreshFailures,
    long RefreshFailuresTotal,
    IReadOnlyList<AlertResponse> Alerts,
    AlertThresholdsResponse Thresholds);

/// <summary>
/// Percentiles of the age of tracked users' features. Every feature is recomputed by the same refresh and
/// updated by the same events, so one age holds for all of <see cref="Features"/>; null with nobody tracked.
/// </summary>
public sealed record FeatureAgeResponse(IReadOnlyList<string> Features, double? P50, double? P90, double? P99, double? Max);

public sealed record StaleUserResponse(string UserId, double AgeSeconds, DateTimeOffset ComputedAt, bool Stale, string? Reason, string? Error);

public sealed record RefreshFailureResponse(DateTimeOffset At, string UserId, string Error);

public sealed record AlertResponse(string Level, string Rule, double Value, double Threshold);

public sealed record AlertThresholdsResponse(ThresholdResponse Warning, ThresholdResponse Critical);

public sealed record ThresholdResponse(double StaleShare, double MaxAgeSeconds);

/// <summary>GET /admin/users/{user_id}: one user's features, what their bandit favours, their recent history and staleness.</summary>
public sealed record UserInspectionResponse(
    string UserId,
    string Policy,
    long Updates,
    IReadOnlyDictionary<string, string> Experiments,
    IReadOnlyDictionary<string, FeatureWithAge> Features,
    DateTimeOffset FeaturesComputedAt,
    int Hour,
    IReadOnlyList<FavouredCategory> FavouredCategories,
    IReadOnlyList<FavouredTip> FavouredTips,
    IReadOnlyList<DecisionResponse> RecentDecisions,
    IReadOnlyList<ReactionResponse> RecentReactions,
    UserStalenessResponse Staleness);

public sealed record FeatureWithAge(double Value, double AgeSeconds);

/// <summary>The ridge estimate θᵀx for a tip of the category with no numeric features, and its standard deviation √(xᵀA⁻¹x).</summary>
public sealed record FavouredCategory(string Category, double Estimate, double StdDev);

public sealed record FavouredTip(string TipId, string Category, double Estimate, double StdDev);

public sealed record DecisionResponse(
    string RequestId, DateTimeOffset At, string Policy, string ServedTipId, double Probability, int Hour, int Candidates, string? Experiment, string? Variant);

public sealed record ReactionResponse(string EventId, string TipId, string Kind, string? RequestId, long? DwellMs, DateTimeOffset At);

/// <summary>
/// The user's staleness as their silo's tracker holds it; when their profile grain is not active (not
/// tracked), as the features the bandit holds show it.
/// </summary>
public sealed record UserStalenessResponse(bool Tracked, bool Stale, string? Reason, double AgeSeconds, string? Error);
