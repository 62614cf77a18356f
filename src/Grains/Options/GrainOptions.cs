using System.ComponentModel.DataAnnotations;
using Actors.Learning.Bandits;
using Actors.Learning.Profile;

namespace Actors.Grains.Options;

/// <summary>Section "Profile": the lazy TTL of the profile features and when they count as stale.</summary>
public sealed class ProfileOptions : IValidatableObject
{
    public const string Section = "Profile";

    /// <summary>A read of features older than this recomputes them from the event store.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Features not recomputed for longer than this mark their user stale (as does a failed refresh). Above
    /// the TTL, so an idle user whose next read would simply refresh does not count.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (StaleAfter <= Ttl)
        {
            yield return new ValidationResult(
                $"Profile:StaleAfter ({StaleAfter}) must be longer than Profile:Ttl ({Ttl}).", [nameof(StaleAfter)]);
        }
    }
}

/// <summary>Section "Bandit": the per-user models the policies read (the policies themselves are under "Policies").</summary>
public sealed class BanditOptions
{
    public const string Section = "Bandit";

    /// <summary>Ridge regulariser of the per-user reward model: A starts as Lambda·I.</summary>
    [Range(1e-6, 1e6)]
    public double Lambda { get; set; } = 1.0;

    /// <summary>
    /// Decisions kept in memory per user to credit rewards without a database read; older ones are read
    /// from the decision log. Kept small: every one held here outlives gen0 and taxes the GC.
    /// </summary>
    [Range(1, 100_000)]
    public int RecentDecisions { get; set; } = 32;

    public LinUcbOptions ToLinUcbOptions() => new() { Lambda = Lambda };
}

/// <summary>Section "Rewards": what each feedback kind is worth to the bandit (views carry none).</summary>
public sealed class RewardOptions
{
    public const string Section = "Rewards";

    [Range(-1e6, 1e6)]
    public double Complete { get; set; } = 1.0;

    [Range(-1e6, 1e6)]
    public double Dismiss { get; set; } = 0.0;

    public double? RewardFor(EventKind kind) => kind switch
    {
        EventKind.Complete => Complete,
        EventKind.Dismiss => Dismiss,
        _ => null,
    };
}

/// <summary>Section "Snapshots": how often dirty grain state is written behind the event log.</summary>
public sealed class SnapshotOptions
{
    public const string Section = "Snapshots";

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);
}
