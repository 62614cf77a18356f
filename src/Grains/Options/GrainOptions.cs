using System.IO.Hashing;
using System.Text;
using System.ComponentModel.DataAnnotations;
using Actors.Learning.Bandits;
using Actors.Learning.Profile;

namespace Actors.Grains.Options;

/// <summary>Section "Profile": the lazy TTL of the profile features.</summary>
public sealed class ProfileOptions
{
    public const string Section = "Profile";

    /// <summary>A read of features older than this recomputes them from the event store.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(5);
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

    /// <summary>
    /// Null in production. When set, each user's policy randomness is seeded from (Seed, user id), so a
    /// simulated run with the same seed serves the same tips; the simulator sets it from --seed.
    /// </summary>
    public int? Seed { get; set; }

    public LinUcbOptions ToLinUcbOptions() => new() { Lambda = Lambda };

    /// <summary>The user's policy randomness: unseeded, or with <see cref="Seed"/> seeded by a hash that is stable across processes.</summary>
    public Random RandomFor(string userId) => Seed is { } seed
        ? new Random((int)XxHash32.HashToUInt32(Encoding.UTF8.GetBytes($"{seed}\u001f{userId}")))
        : new Random();
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
