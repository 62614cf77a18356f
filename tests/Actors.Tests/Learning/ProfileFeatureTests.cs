using System.Globalization;
using System.Text.Json;
using Actors.Abstractions;
using Actors.Grains.Services;
using Actors.Learning.Profile;

namespace Actors.Tests.Learning;

public sealed class ProfileFeatureTests
{
    // 2025-06-15T12:00:00Z: an offset of -3h is an event at 09:xx UTC.
    private static readonly long NowMs = new DateTimeOffset(2025, 6, 15, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private const long DayMs = 86_400_000;

    /// <summary>
    /// Events as "kind:offset[:dwell]" separated by ';' where kind is v/c/d and offset is relative to now
    /// with a unit (ms, m, h, d). The expected value is exact: every case is a ratio of small integers.
    /// </summary>
    [Theory]
    // No events at all: every feature at its default.
    [InlineData("", "completion_rate_30d", 0.0)]
    [InlineData("", "dismiss_rate_30d", 0.0)]
    [InlineData("", "mean_dwell_ms_30d", 0.0)]
    [InlineData("", "preferred_hour", -1.0)]
    [InlineData("", "tip_volume_30d", 0.0)]
    // Completes and dismisses without any view: rates stay 0 instead of dividing by zero.
    [InlineData("c:-1h;c:-2h;d:-3h", "completion_rate_30d", 0.0)]
    [InlineData("c:-1h;c:-2h;d:-3h", "dismiss_rate_30d", 0.0)]
    [InlineData("c:-1h;c:-2h;d:-3h", "tip_volume_30d", 0.0)]
    // Rates are per view.
    [InlineData("v:-1h;v:-2h;c:-1h", "completion_rate_30d", 0.5)]
    [InlineData("v:-1h;v:-2h;v:-3h;v:-4h;d:-1h", "dismiss_rate_30d", 0.25)]
    [InlineData("v:-1h;v:-2h;v:-3h;v:-4h;d:-1h;c:-2h;c:-3h;c:-4h", "completion_rate_30d", 0.75)]
    [InlineData("v:-1h;v:-2h;v:-3h;v:-4h;d:-1h;c:-2h;c:-3h;c:-4h", "tip_volume_30d", 4.0)]
    // Dwell mean over the views that carry a dwell only; 0 when none does; dwell on a complete is ignored.
    [InlineData("v:-1h:1000;v:-2h;v:-3h:3000", "mean_dwell_ms_30d", 2000.0)]
    [InlineData("v:-1h;v:-2h", "mean_dwell_ms_30d", 0.0)]
    [InlineData("v:-1h:0;v:-2h:500", "mean_dwell_ms_30d", 250.0)]
    [InlineData("v:-1h:400;c:-1h:99999", "mean_dwell_ms_30d", 400.0)]
    // Preferred hour: most completes; ties go to the earliest hour; -1 with no complete.
    [InlineData("c:-3h", "preferred_hour", 9.0)]
    [InlineData("c:-3h;c:-5h", "preferred_hour", 7.0)]
    [InlineData("c:-5h;c:-3h", "preferred_hour", 7.0)]
    [InlineData("c:-3h;c:-3h;c:-5h", "preferred_hour", 9.0)]
    [InlineData("c:-12h;c:-1d;c:-11h", "preferred_hour", 0.0)]
    [InlineData("c:-1h;c:-13h;c:-25h;c:-37h", "preferred_hour", 11.0)]
    [InlineData("v:-3h;d:-3h;d:-3h", "preferred_hour", -1.0)]
    // The 30-day window: older events are ignored by every feature; exactly 30 days back still counts.
    [InlineData("v:-31d:5000;v:-1h:1000;c:-31d;d:-40d", "tip_volume_30d", 1.0)]
    [InlineData("v:-31d:5000;v:-1h:1000;c:-31d;d:-40d", "mean_dwell_ms_30d", 1000.0)]
    [InlineData("v:-31d:5000;v:-1h:1000;c:-31d;d:-40d", "completion_rate_30d", 0.0)]
    [InlineData("v:-31d:5000;v:-1h:1000;c:-31d;d:-40d", "dismiss_rate_30d", 0.0)]
    [InlineData("v:-31d:5000;v:-1h:1000;c:-31d;d:-40d", "preferred_hour", -1.0)]
    [InlineData("v:-2592000000ms;v:-2592000001ms", "tip_volume_30d", 1.0)]
    [InlineData("c:-2592000000ms;c:-2592000001ms;c:-2592000001ms", "preferred_hour", 12.0)]
    public void Incremental_value(string events, string feature, double expected)
    {
        var accumulator = new ProfileAccumulator();
        foreach (var e in ParseEvents(events)) accumulator.Apply(e, NowMs);

        var index = ProfileFeatureRegistry.IndexOf(feature);
        Assert.True(index >= 0, $"unknown feature {feature}");
        Assert.Equal(expected, accumulator.Values()[index]);
    }

    [Fact]
    public void An_empty_accumulator_gives_the_defaults()
    {
        Assert.Equal(ProfileFeatureRegistry.Defaults(), new ProfileAccumulator().Values());
    }

    /// <summary>
    /// The property the registry exists for: the SQL aggregation and the incremental fold meet in the
    /// same sufficient statistics, so a TTL refresh from the store and the grain's own updates agree.
    /// Counts and integer dwell sums are exact in double, so the comparison is exact (tolerance 0).
    /// </summary>
    [Theory]
    [InlineData(101)]
    [InlineData(202)]
    [InlineData(303)]
    [InlineData(404)]
    [InlineData(505)]
    public async Task Incremental_and_sql_agree_on_random_event_streams(int seed)
    {
        var random = new Random(seed);
        using var temp = new TempEventStore();
        string[] users = [$"user-{seed}-a", $"user-{seed}-b", $"user-{seed}-c"];
        // Evaluate at the generation time and at two earlier instants, so "future" events and a
        // shifted window boundary are exercised on the same data.
        long[] instants = [NowMs, NowMs - 3 * DayMs - 1_234_567, NowMs - 9 * DayMs];
        var accumulators = users.ToDictionary(u => u, _ => instants.Select(_ => new ProfileAccumulator()).ToArray());

        var appends = new List<Task<bool>>();
        foreach (var user in users)
        {
            var count = random.Next(60, 220);
            for (var seq = 1; seq <= count; seq++)
            {
                var e = RandomEvent(random, $"{user}-e{seq}");
                appends.Add(temp.Store.AppendEventAsync(new LoggedEvent(user, seq, e)));
                var profileEvent = new ProfileEvent(e.Kind, e.AtMs, e.DwellMs);
                for (var i = 0; i < instants.Length; i++) accumulators[user][i].Apply(profileEvent, instants[i]);
            }
        }
        Assert.All(await Task.WhenAll(appends), Assert.True);

        foreach (var user in users)
        {
            for (var i = 0; i < instants.Length; i++)
            {
                var fromSql = await temp.Store.AggregateProfileAsync(user, instants[i]);
                var incremental = accumulators[user][i];

                Assert.Equal(incremental.Slots, fromSql.Slots);
                Assert.Equal(incremental.Values(), fromSql.Values());
            }
        }
        // The streams are rich enough that the comparison is not between two sets of defaults.
        var values = accumulators[users[0]][0].Values();
        Assert.All(values, (v, i) => Assert.NotEqual(ProfileFeatureRegistry.All[i].Default, v));

        var stranger = await temp.Store.AggregateProfileAsync($"user-{seed}-nobody", NowMs);
        Assert.Equal(ProfileFeatureRegistry.Defaults(), stranger.Values());
    }

    [Fact]
    public void The_contract_file_lists_exactly_the_registry_features()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "contracts", "profile-features.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var published = document.RootElement.GetProperty("features").EnumerateArray().ToArray();

        Assert.Equal(ProfileFeatureRegistry.All.Select(f => f.Name), published.Select(p => p.GetProperty("name").GetString()));
        for (var i = 0; i < published.Length; i++)
        {
            var feature = ProfileFeatureRegistry.All[i];
            var entry = published[i];
            Assert.Equal(feature.DtypeName, entry.GetProperty("dtype").GetString());
            Assert.Equal("30d", entry.GetProperty("window").GetString());
            Assert.Equal(TimeSpan.FromDays(30), feature.Window);
            Assert.Equal(feature.Default, entry.GetProperty("default").GetDouble());
            Assert.Equal(feature.Description, entry.GetProperty("description").GetString());
            Assert.Equal(
                ["name", "dtype", "window", "default", "description"],
                entry.EnumerateObject().Select(p => p.Name));
        }
    }

    private static FeedbackEvent RandomEvent(Random random, string eventId)
    {
        // Mostly inside the window, some older, a few minutes into the future, and some exactly on
        // or one millisecond outside the 30-day boundary.
        long atMs = random.Next(20) switch
        {
            0 => NowMs - 30 * DayMs,
            1 => NowMs - 30 * DayMs - 1,
            2 => NowMs + random.NextInt64(0, 5 * 60_000),
            _ => NowMs - random.NextInt64(0, 40 * DayMs),
        };
        var roll = random.NextDouble();
        var kind = roll < 0.55 ? EventKind.View : roll < 0.8 ? EventKind.Complete : EventKind.Dismiss;
        long? dwell = random.NextDouble() < 0.35 ? null : random.NextInt64(0, 120_000);
        if (kind != EventKind.View && random.NextDouble() < 0.7) dwell = null;
        return new FeedbackEvent(eventId, $"tip-{random.Next(10)}", kind, RequestId: null, dwell, atMs);
    }

    private static IEnumerable<ProfileEvent> ParseEvents(string spec)
    {
        foreach (var token in spec.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = token.Split(':');
            var kind = parts[0] switch
            {
                "v" => EventKind.View,
                "c" => EventKind.Complete,
                "d" => EventKind.Dismiss,
                _ => throw new FormatException(token),
            };
            long? dwell = parts.Length > 2 ? long.Parse(parts[2], CultureInfo.InvariantCulture) : null;
            yield return new ProfileEvent(kind, NowMs + ParseOffset(parts[1]), dwell);
        }
    }

    private static long ParseOffset(string offset)
    {
        var unitStart = offset.IndexOfAny(['m', 'h', 'd']);
        var amount = long.Parse(offset[..unitStart], CultureInfo.InvariantCulture);
        return offset[unitStart..] switch
        {
            "ms" => amount,
            "m" => amount * 60_000,
            "h" => amount * 3_600_000,
            "d" => amount * DayMs,
            _ => throw new FormatException(offset),
        };
    }
}
