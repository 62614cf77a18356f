using System.ComponentModel.DataAnnotations;

namespace Actors.Grains.Options;

/// <summary>
/// Section "Profile:Staleness": how much each silo remembers about its users' feature ages, and the
/// thresholds of the alerts <c>GET /admin/staleness</c> lists and the log announces.
/// </summary>
public sealed class StalenessOptions : IValidatableObject
{
    public const string Section = "Profile:Staleness";

    /// <summary>Users each silo tracks at most; past it the freshest are dropped first, so the stale stay in view.</summary>
    [Range(1, 10_000_000)]
    public int MaxTrackedUsers { get; set; } = 100_000;

    /// <summary>How many of the stalest users the report lists.</summary>
    [Range(1, 1000)]
    public int StalestUsers { get; set; } = 10;

    /// <summary>How many of the latest refresh failures each silo keeps.</summary>
    [Range(1, 10_000)]
    public int RecentFailures { get; set; } = 50;

    /// <summary>How often the alerts are checked for a crossing to log.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    public StalenessThresholds Warning { get; set; } = new() { StaleShare = 0.05, MaxAge = TimeSpan.FromHours(6) };

    public StalenessThresholds Critical { get; set; } = new() { StaleShare = 0.25, MaxAge = TimeSpan.FromDays(1) };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, thresholds) in new[] { (nameof(Warning), Warning), (nameof(Critical), Critical) })
        {
            if (!(thresholds.StaleShare is > 0 and <= 1))
            {
                yield return new ValidationResult($"{Section}:{name}:StaleShare must be in (0, 1]; got {thresholds.StaleShare}.", [name]);
            }
            if (thresholds.MaxAge <= TimeSpan.Zero)
            {
                yield return new ValidationResult($"{Section}:{name}:MaxAge must be positive; got {thresholds.MaxAge}.", [name]);
            }
        }
        if (Critical.StaleShare < Warning.StaleShare || Critical.MaxAge < Warning.MaxAge)
        {
            yield return new ValidationResult($"{Section}:Critical must not be below {Section}:Warning.", [nameof(Critical)]);
        }
    }
}

/// <summary>One alert level: reached when the share of stale users, or the oldest features' age, gets to its value.</summary>
public sealed class StalenessThresholds
{
    /// <summary>Share of tracked users that are stale, in (0, 1].</summary>
    public double StaleShare { get; set; }

    /// <summary>Age of the oldest tracked features.</summary>
    public TimeSpan MaxAge { get; set; }
}
