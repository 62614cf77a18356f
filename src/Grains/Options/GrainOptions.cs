using System.IO.Hashing;
using System.Text;
using System.ComponentModel.DataAnnotations;
using Actors.Learning.Bandits;
using Actors.Learning.Profile;
using Microsoft.Extensions.Options;

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

    /// <summary>Profile feature renames, old name → new name, applied when a stored snapshot is migrated to the registry's list.</summary>
    public Dictionary<string, string> Renames { get; set; } = new(StringComparer.Ordinal);
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

    /// <summary>The user's policy randomness: unseeded, or with <see cref="Seed"/> seeded by a hash that is stable across processes.</summary>
    public Random RandomFor(string userId) => Seed is { } seed
        ? new Random((int)XxHash32.HashToUInt32(Encoding.UTF8.GetBytes($"{seed}\u001f{userId}")))
        : new Random();

    /// <summary>Most features one user's model holds (see <see cref="LinUcbOptions.MaxDimension"/>).</summary>
    [Range(8, 4096)]
    public int MaxDimension { get; set; } = 256;

    /// <summary>Which features the model reads; a change migrates stored models at their next activation.</summary>
    public BanditFeatureOptions Features { get; set; } = new();

    /// <summary>Model feature renames, old name → new name (a name before '|' renames its hour terms too).</summary>
    public Dictionary<string, string> Renames { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The population prior new users start from.</summary>
    public PriorOptions Prior { get; set; } = new();

    public LinUcbOptions ToLinUcbOptions() => new() { Lambda = Lambda, MaxDimension = MaxDimension };

    public BanditFeatureSet ToFeatureSet() => new(Features.Groups, Features.Profile, Renames);
}

/// <summary>Section "Bandit:Features".</summary>
public sealed class BanditFeatureOptions
{
    /// <summary>Of category, category_hour, tip and profile; null: all of them.</summary>
    public string[]? Groups { get; set; }

    /// <summary>Profile features in the profile group; null: all of them.</summary>
    public string[]? Profile { get; set; }
}

/// <summary>Section "Bandit:Prior".</summary>
public sealed class PriorOptions
{
    /// <summary>How many rewards' weight the population's mean carries for a new user on a well-known feature; 0 turns the prior off.</summary>
    [Range(0, 1e6)]
    public double Strength { get; set; } = 4;

    /// <summary>How often the population prior is re-estimated, and how stale a silo's copy may get.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most feature names the population model keeps.</summary>
    [Range(16, 1_000_000)]
    public int MaxFeatures { get; set; } = 50_000;

    public bool Enabled => Strength > 0;
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

/// <summary>Checks what data annotations cannot reach: the nested prior section and the feature configuration. Each problem names its setting.</summary>
public sealed class BanditOptionsValidator : IValidateOptions<BanditOptions>
{
    public ValidateOptionsResult Validate(string? name, BanditOptions options)
    {
        var problems = new List<string>();
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options.Prior, new ValidationContext(options.Prior), results, validateAllProperties: true))
        {
            problems.AddRange(results.Select(r => $"Bandit:Prior:{string.Join(',', r.MemberNames)}: {r.ErrorMessage}"));
        }
        try
        {
            options.ToFeatureSet();
        }
        catch (ArgumentException ex)
        {
            problems.Add($"Bandit:Features / Bandit:Renames: {ex.Message}");
        }
        return problems.Count > 0 ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
