using System.IO.Hashing;
using System.Text;
using Actors.Learning.Profile;

namespace Actors.Learning.Bandits;

/// <summary>
/// A tip as the bandit sees it: the names of every feature it can contribute, built once per tip. Which of
/// them a request uses is the configured <see cref="BanditFeatureSet"/>'s choice, so the same cached tip
/// serves any configuration.
/// </summary>
public sealed class TipFeatures
{
    private readonly FeatureKey _category;
    private readonly FeatureKey _categoryHourSin;
    private readonly FeatureKey _categoryHourCos;
    private readonly FeatureKey _identity;
    private readonly NamedFeature[] _numeric;

    public TipFeatures(string tipId, string category, IReadOnlyDictionary<string, double>? features)
    {
        TipId = tipId;
        Category = category;
        _category = new FeatureKey(BanditFeatureSet.CategoryName(category));
        _categoryHourSin = new FeatureKey($"{_category.Name}|hour_sin");
        _categoryHourCos = new FeatureKey($"{_category.Name}|hour_cos");
        _identity = new FeatureKey(BanditFeatureSet.TipName(tipId));
        _numeric = features is null
            ? []
            : features.OrderBy(f => f.Key, StringComparer.Ordinal)
                .Select(f => new NamedFeature(BanditFeatureSet.TipFeatureName(f.Key), f.Value))
                .ToArray();
    }

    public string TipId { get; }

    public string Category { get; }

    /// <summary>Number of entries <see cref="Write"/> produces under <paramref name="set"/>.</summary>
    public int LengthUnder(BanditFeatureSet set) =>
        (set.Category ? 1 : 0) + (set.CategoryHour ? 2 : 0) + (set.Tip ? 1 + _numeric.Length : 0);

    /// <summary>
    /// Writes the tip's part of the vector. The category is crossed with the hour so each user can learn
    /// when, not only what; the tip's own term carries what the population learns about this very tip.
    /// </summary>
    public int Write(Span<NamedFeature> destination, in HourEncoding hour, BanditFeatureSet set)
    {
        var n = 0;
        if (set.Category) destination[n++] = new NamedFeature(_category, 1.0);
        if (set.CategoryHour)
        {
            destination[n++] = new NamedFeature(_categoryHourSin, hour.Sin);
            destination[n++] = new NamedFeature(_categoryHourCos, hour.Cos);
        }
        if (set.Tip)
        {
            destination[n++] = new NamedFeature(_identity, 1.0);
            _numeric.CopyTo(destination[n..]);
            n += _numeric.Length;
        }
        return n;
    }
}

/// <summary>An hour of day on the unit circle, so 23h and 0h are neighbours.</summary>
public readonly record struct HourEncoding(int Hour, double Sin, double Cos)
{
    public static HourEncoding Of(int hour)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hour);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hour, 23);
        var angle = 2 * Math.PI * hour / 24;
        return new HourEncoding(hour, Math.Sin(angle), Math.Cos(angle));
    }
}

/// <summary>The groups of features a bandit can read (configured as <c>Bandit:Features:Groups</c>).</summary>
public static class FeatureGroups
{
    /// <summary><c>cat=&lt;category&gt;</c>: what the user thinks of each category.</summary>
    public const string Category = "category";

    /// <summary><c>cat=&lt;category&gt;|hour_sin</c>, <c>|hour_cos</c>: when.</summary>
    public const string CategoryHour = "category_hour";

    /// <summary><c>tip=&lt;id&gt;</c> and <c>tip.&lt;feature&gt;</c>: the tip itself, and its numeric features.</summary>
    public const string Tip = "tip";

    /// <summary><c>user.*</c>: the profile features named in <c>Bandit:Features:Profile</c>.</summary>
    public const string Profile = "profile";

    public static IReadOnlyList<string> All { get; } = [Category, CategoryHour, Tip, Profile];
}

/// <summary>
/// Which features a user's bandit reads, and how stored models are carried over when that changes: the
/// enabled groups, the profile features among them, and renames of model feature names (old → new). A model
/// remembers the <see cref="Id"/> it was built for; a different one means migrate (see <see cref="ModelMigration"/>).
/// </summary>
public sealed class BanditFeatureSet
{
    public const string BiasName = "bias";
    private const string UserPrefix = "user.";

    /// <summary>Each profile feature's model feature and how its value is brought to about unit range.</summary>
    private static readonly Dictionary<string, (string ModelName, Func<double, HourEncoding, double> Scale)> ProfileTerms = new(StringComparer.Ordinal)
    {
        [ProfileFeatureRegistry.CompletionRate.Name] = ($"{UserPrefix}{ProfileFeatureRegistry.CompletionRate.Name}", static (v, _) => Math.Clamp(v, 0, 1)),
        [ProfileFeatureRegistry.DismissRate.Name] = ($"{UserPrefix}{ProfileFeatureRegistry.DismissRate.Name}", static (v, _) => Math.Clamp(v, 0, 1)),
        // Dwell and volume span orders of magnitude; log scaling keeps them near [0, 1.5].
        [ProfileFeatureRegistry.MeanDwell.Name] = ($"{UserPrefix}log_{ProfileFeatureRegistry.MeanDwell.Name}", static (v, _) => double.LogP1(Math.Max(0, v)) / 10),
        [ProfileFeatureRegistry.TipVolume.Name] = ($"{UserPrefix}log_{ProfileFeatureRegistry.TipVolume.Name}", static (v, _) => double.LogP1(Math.Max(0, v)) / 5),
        [ProfileFeatureRegistry.PreferredHour.Name] = ($"{UserPrefix}preferred_hour_match", static (v, hour) =>
            (int)v is var preferred && preferred is >= 0 and <= 23 ? Math.Cos(2 * Math.PI * (hour.Hour - preferred) / 24) : 0),
    };

    private readonly (int RegistryIndex, FeatureKey Key, Func<double, HourEncoding, double> Scale)[] _profile;
    private readonly FeatureKey _bias = new(BiasName);
    private readonly HashSet<string> _profileModelNames;

    public BanditFeatureSet(IEnumerable<string>? groups = null, IEnumerable<string>? profileFeatures = null, IReadOnlyDictionary<string, string>? renames = null)
    {
        var groupList = (groups ?? FeatureGroups.All).ToArray();
        foreach (var group in groupList)
        {
            if (!FeatureGroups.All.Contains(group)) throw new ArgumentException($"Unknown feature group '{group}'; known: {string.Join(", ", FeatureGroups.All)}.", nameof(groups));
        }
        Category = groupList.Contains(FeatureGroups.Category);
        CategoryHour = groupList.Contains(FeatureGroups.CategoryHour);
        Tip = groupList.Contains(FeatureGroups.Tip);
        Profile = groupList.Contains(FeatureGroups.Profile);

        ProfileFeatures = (profileFeatures ?? ProfileTerms.Keys.Order(StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var name in ProfileFeatures)
        {
            if (!ProfileTerms.ContainsKey(name)) throw new ArgumentException($"Unknown profile feature '{name}'; known: {string.Join(", ", ProfileTerms.Keys)}.", nameof(profileFeatures));
        }
        // Registry order, so the vector's layout does not depend on how the list was written.
        _profile = Profile
            ? ProfileFeatureRegistry.All.Where(f => ProfileFeatures.Contains(f.Name))
                .Select(f => (ProfileFeatureRegistry.IndexOf(f.Name), new FeatureKey(ProfileTerms[f.Name].ModelName), ProfileTerms[f.Name].Scale))
                .ToArray()
            : [];
        _profileModelNames = _profile.Select(p => p.Key.Name).ToHashSet(StringComparer.Ordinal);

        Renames = new Dictionary<string, string>(renames ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (from, to) in Renames)
        {
            if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to)) throw new ArgumentException("Renames need a name on both sides.", nameof(renames));
        }

        Groups = FeatureGroups.All.Where(groupList.Contains).ToArray();
        Id = Fingerprint();
    }

    /// <summary>Every group, every profile feature, no renames: the shipped configuration.</summary>
    public static BanditFeatureSet Default { get; } = new();

    public bool Category { get; }
    public bool CategoryHour { get; }
    public bool Tip { get; }
    public bool Profile { get; }
    public IReadOnlyList<string> Groups { get; }
    public IReadOnlyList<string> ProfileFeatures { get; }
    public IReadOnlyDictionary<string, string> Renames { get; }

    /// <summary>Identifies the configuration a model was built for: groups, profile features and renames.</summary>
    public string Id { get; }

    /// <summary>Entries of the shared part of every vector: the bias and the profile terms.</summary>
    public int SharedLength => 1 + _profile.Length;

    public static string CategoryName(string category) => $"cat={category}";

    public static string TipName(string tipId) => $"tip={tipId}";

    public static string TipFeatureName(string feature) => $"tip.{feature}";

    /// <summary>
    /// Writes the part of a vector every candidate of one request shares: a bias and the user's profile
    /// terms. Within one user they shift every tip alike; across users they carry each one's baseline, which
    /// keeps the population's estimates of categories and tips from absorbing it.
    /// </summary>
    /// <param name="profile">Profile feature values in <see cref="ProfileFeatureRegistry.All"/> order.</param>
    public void WriteShared(Span<NamedFeature> destination, ReadOnlySpan<double> profile, in HourEncoding hour)
    {
        destination[0] = new NamedFeature(_bias, 1.0);
        for (var i = 0; i < _profile.Length; i++)
        {
            var (index, key, scale) = _profile[i];
            destination[1 + i] = new NamedFeature(key, scale(profile[index], hour));
        }
    }

    /// <summary>The request's candidates by feature name.</summary>
    public NamedBatch Build(ReadOnlySpan<double> profile, int hour, IReadOnlyList<TipFeatures> candidates)
    {
        var encoding = HourEncoding.Of(hour);
        var shared = new NamedFeature[SharedLength];
        WriteShared(shared, profile, encoding);

        var offsets = new int[candidates.Count + 1];
        for (var i = 0; i < candidates.Count; i++) offsets[i + 1] = offsets[i] + candidates[i].LengthUnder(this);
        var items = new NamedFeature[offsets[^1]];
        for (var i = 0; i < candidates.Count; i++) candidates[i].Write(items.AsSpan(offsets[i]), encoding, this);
        return new NamedBatch(shared, items, offsets);
    }

    /// <summary>Whether a model feature of this name can arise under this configuration (a stored one that cannot is dropped).</summary>
    public bool Produces(string name)
    {
        if (name == BiasName) return true;
        if (name.StartsWith(UserPrefix, StringComparison.Ordinal)) return _profileModelNames.Contains(name);
        if (name.StartsWith("cat=", StringComparison.Ordinal))
        {
            var crossed = name.EndsWith("|hour_sin", StringComparison.Ordinal) || name.EndsWith("|hour_cos", StringComparison.Ordinal);
            return crossed ? CategoryHour : Category;
        }
        if (name.StartsWith("tip=", StringComparison.Ordinal) || name.StartsWith("tip.", StringComparison.Ordinal)) return Tip;
        return false;
    }

    /// <summary>
    /// The name a stored feature has now: a rename of the exact name, or of the part before a '|' (so renaming
    /// <c>cat=focus</c> to <c>cat=concentration</c> carries its hour terms along).
    /// </summary>
    public string Rename(string name)
    {
        if (Renames.TryGetValue(name, out var renamed)) return renamed;
        var bar = name.IndexOf('|');
        if (bar > 0 && Renames.TryGetValue(name[..bar], out var head)) return head + name[bar..];
        return name;
    }

    /// <summary>The model's inputs as a policy card lists them, templated where they depend on the tip.</summary>
    public IReadOnlyList<string> TemplatedNames() =>
    [
        BiasName,
        .. _profile.Select(p => p.Key.Name),
        .. Category ? ["cat=<category>"] : Array.Empty<string>(),
        .. CategoryHour ? ["cat=<category>|hour_sin", "cat=<category>|hour_cos"] : Array.Empty<string>(),
        .. Tip ? ["tip=<tip_id>", "tip.<feature> (each numeric tip feature)"] : Array.Empty<string>(),
    ];

    private string Fingerprint()
    {
        var text = new StringBuilder()
            .Append("groups=").AppendJoin(',', Groups)
            .Append(";profile=").AppendJoin(',', _profile.Select(p => p.Key.Name))
            .Append(";renames=").AppendJoin(',', Renames.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}>{r.Value}"))
            .ToString();
        return $"fs-{XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(text)):x16}";
    }
}
