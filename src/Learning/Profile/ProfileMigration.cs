using System.IO.Hashing;
using System.Text;

namespace Actors.Learning.Profile;

/// <summary>What carrying stored profile slots over to a feature list did, feature by feature.</summary>
/// <param name="Slots">The slots laid out for the target list; a feature in <paramref name="Added"/> holds zeros.</param>
/// <param name="Added">Target features the stored slots did not have: their slots must come from their SQL aggregation.</param>
public sealed record ProfileMigrationResult(double[] Slots, IReadOnlyList<string> Added, int Kept, int Renamed, int Dropped);

/// <summary>
/// Carries a profile snapshot's accumulator slots over to another feature list by feature name, so a change of
/// the registry recomputes only what is new: kept and renamed features keep their slots, new ones are left for
/// their own SQL aggregation, dropped ones leave. A feature whose slot count changed is a new feature under an old
/// name (its slots meant something else) and is recomputed.
/// </summary>
public static class ProfileMigration
{
    /// <summary>Identifies a slot layout: the features' names and slot counts, in order.</summary>
    public static string LayoutId(IReadOnlyList<ProfileFeature> features) =>
        $"pf-{XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(string.Join(',', features.Select(f => $"{f.Name}:{f.SlotCount}")))):x16}";

    /// <summary>
    /// The stored slots laid out for <paramref name="target"/>, or null when the stored layout cannot be read:
    /// snapshots from before slot counts were stored give only names, so each name must be a feature of the target
    /// (after renames) except at most one, which then owns the slots left over.
    /// </summary>
    public static ProfileMigrationResult? Migrate(
        IReadOnlyList<string> storedNames,
        IReadOnlyList<int>? storedSlotCounts,
        IReadOnlyList<double> storedSlots,
        IReadOnlyList<ProfileFeature> target,
        IReadOnlyDictionary<string, string> renames)
    {
        var byName = target.Select((f, i) => (f, i)).ToDictionary(p => p.f.Name, p => p.i, StringComparer.Ordinal);
        var newNames = storedNames.Select(n => renames.GetValueOrDefault(n, n)).ToArray();
        var counts = storedSlotCounts?.ToArray() ?? InferSlotCounts(newNames, storedSlots.Count, target, byName);
        if (counts is null || counts.Length != storedNames.Count || counts.Any(c => c < 0) || counts.Sum() != storedSlots.Count) return null;

        var offsets = new int[target.Count];
        for (var i = 1; i < target.Count; i++) offsets[i] = offsets[i - 1] + target[i - 1].SlotCount;
        var slots = new double[target.Sum(f => f.SlotCount)];
        var filled = new bool[target.Count];
        int kept = 0, renamed = 0, dropped = 0, from = 0;
        for (var s = 0; s < storedNames.Count; from += counts[s], s++)
        {
            if (!byName.TryGetValue(newNames[s], out var t) || filled[t] || target[t].SlotCount != counts[s])
            {
                dropped++;
                continue;
            }
            for (var k = 0; k < counts[s]; k++) slots[offsets[t] + k] = storedSlots[from + k];
            filled[t] = true;
            if (newNames[s] == storedNames[s]) kept++;
            else renamed++;
        }
        var added = target.Where((_, i) => !filled[i]).Select(f => f.Name).ToArray();
        return new ProfileMigrationResult(slots, added, kept, renamed, dropped);
    }

    private static int[]? InferSlotCounts(string[] names, int totalSlots, IReadOnlyList<ProfileFeature> target, Dictionary<string, int> byName)
    {
        var counts = names.Select(n => byName.TryGetValue(n, out var t) ? target[t].SlotCount : -1).ToArray();
        var unknown = Array.IndexOf(counts, -1);
        if (unknown < 0) return counts;
        if (Array.LastIndexOf(counts, -1) != unknown) return null;
        counts[unknown] = totalSlots - counts.Where(c => c >= 0).Sum();
        return counts;
    }
}
