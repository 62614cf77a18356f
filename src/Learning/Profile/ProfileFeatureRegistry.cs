namespace Actors.Learning.Profile;

/// <summary>
/// The one place that owns the user-profile features: names, dtypes, windows, defaults, the SQL that
/// aggregates them from the event tables, and the incremental update from one event. Everything else
/// (the profile grain, the bandit's feature builder, GET /profile/schema, the contract file) reads it.
/// </summary>
public static class ProfileFeatureRegistry
{
    public static readonly TimeSpan Window30d = TimeSpan.FromDays(30);

    private const long MsPerHour = 3_600_000;

    /// <summary>A day: the longest dwell a view may report, and so the largest mean dwell.</summary>
    public const double MaxDwellMs = 86_400_000;

    /// <summary>A bound on a caller-supplied view count, far above any real user's 30 days.</summary>
    public const double MaxVolume = 1e9;

    // Hour of an event in portable integer SQL (no strftime/extract), so PostgreSQL can share it.
    private const string HourOfAt = "((at_ms / 3600000) % 24)";

    public static readonly ProfileFeature TipVolume = new(
        Name: "tip_volume_30d",
        Dtype: FeatureDtype.Int64,
        Window: Window30d,
        Default: 0,
        SlotCount: 1,
        SqlAggregation: "SELECT 0, COUNT(*) FROM tip_views WHERE user_id = @user_id AND at_ms >= @since_ms",
        Accumulate: static (slots, in e) =>
        {
            if (e.Kind == EventKind.View) slots[0] += 1;
        },
        Evaluate: static slots => slots[0],
        Description: "Number of view events.")
    {
        Min = 0,
        Max = MaxVolume,
    };

    public static readonly ProfileFeature CompletionRate = new(
        Name: "completion_rate_30d",
        Dtype: FeatureDtype.Float64,
        Window: Window30d,
        Default: 0,
        SlotCount: 2,
        SqlAggregation: RateSql("complete"),
        Accumulate: static (slots, in e) => AccumulateRate(slots, e, EventKind.Complete),
        Evaluate: static slots => Ratio(slots[0], slots[1]),
        Description: "Complete events / view events (0 with no views).")
    {
        Min = 0,
        Max = 1,
    };

    public static readonly ProfileFeature DismissRate = new(
        Name: "dismiss_rate_30d",
        Dtype: FeatureDtype.Float64,
        Window: Window30d,
        Default: 0,
        SlotCount: 2,
        SqlAggregation: RateSql("dismiss"),
        Accumulate: static (slots, in e) => AccumulateRate(slots, e, EventKind.Dismiss),
        Evaluate: static slots => Ratio(slots[0], slots[1]),
        Description: "Dismiss events / view events (0 with no views).")
    {
        Min = 0,
        Max = 1,
    };

    public static readonly ProfileFeature MeanDwell = new(
        Name: "mean_dwell_ms_30d",
        Dtype: FeatureDtype.Float64,
        Window: Window30d,
        Default: 0,
        SlotCount: 2,
        SqlAggregation:
            "SELECT 0, COALESCE(SUM(dwell_ms), 0) FROM tip_views WHERE user_id = @user_id AND at_ms >= @since_ms AND dwell_ms IS NOT NULL " +
            "UNION ALL SELECT 1, COUNT(dwell_ms) FROM tip_views WHERE user_id = @user_id AND at_ms >= @since_ms",
        Accumulate: static (slots, in e) =>
        {
            if (e.Kind == EventKind.View && e.DwellMs is { } dwell)
            {
                slots[0] += dwell;
                slots[1] += 1;
            }
        },
        Evaluate: static slots => Ratio(slots[0], slots[1]),
        Description: "Mean dwell_ms of view events that carry one (0 with none).")
    {
        Min = 0,
        Max = MaxDwellMs,
    };

    public static readonly ProfileFeature PreferredHour = new(
        Name: "preferred_hour",
        Dtype: FeatureDtype.Int64,
        Window: Window30d,
        Default: -1,
        SlotCount: 24,
        SqlAggregation:
            $"SELECT {HourOfAt}, COUNT(*) FROM tip_feedback WHERE user_id = @user_id AND at_ms >= @since_ms AND kind = 'complete' GROUP BY {HourOfAt}",
        Accumulate: static (slots, in e) =>
        {
            if (e.Kind == EventKind.Complete) slots[UtcHour(e.AtMs)] += 1;
        },
        Evaluate: static slots =>
        {
            var best = -1;
            for (var hour = 0; hour < slots.Length; hour++)
            {
                // Strictly greater keeps the earliest hour on ties.
                if (slots[hour] > 0 && (best < 0 || slots[hour] > slots[best])) best = hour;
            }
            return best;
        },
        Description: "UTC hour (0-23) with the most complete events, ties to the earliest; -1 with none.")
    {
        Min = -1,
        Max = 23,
    };

    /// <summary>The features in their published order; vectors of values follow this order.</summary>
    public static IReadOnlyList<ProfileFeature> All { get; } =
        [CompletionRate, DismissRate, MeanDwell, PreferredHour, TipVolume];

    public static int Count => All.Count;

    /// <summary>Total accumulator slots over all features.</summary>
    public static int SlotCount { get; } = All.Sum(f => f.SlotCount);

    /// <summary>Offset of each feature's slots in a <see cref="ProfileAccumulator"/>.</summary>
    internal static IReadOnlyList<int> SlotOffsets { get; } = ComputeOffsets();

    public static int IndexOf(string name)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i].Name == name) return i;
        }
        return -1;
    }

    public static double[] Defaults() => All.Select(f => f.Default).ToArray();

    public static int UtcHour(long atMs) => (int)(((atMs / MsPerHour) % 24 + 24) % 24);

    private static string RateSql(string kind) =>
        $"SELECT 0, COUNT(*) FROM tip_feedback WHERE user_id = @user_id AND at_ms >= @since_ms AND kind = '{kind}' " +
        "UNION ALL SELECT 1, COUNT(*) FROM tip_views WHERE user_id = @user_id AND at_ms >= @since_ms";

    private static void AccumulateRate(Span<double> slots, in ProfileEvent e, EventKind numerator)
    {
        if (e.Kind == numerator) slots[0] += 1;
        else if (e.Kind == EventKind.View) slots[1] += 1;
    }

    private static double Ratio(double numerator, double denominator) =>
        denominator > 0 ? numerator / denominator : 0;

    private static int[] ComputeOffsets()
    {
        var offsets = new int[All.Count];
        var next = 0;
        for (var i = 0; i < All.Count; i++)
        {
            offsets[i] = next;
            next += All[i].SlotCount;
        }
        return offsets;
    }
}
