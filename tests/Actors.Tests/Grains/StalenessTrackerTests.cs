using System.Diagnostics.Metrics;
using Actors.Grains.Options;
using Actors.Grains.Staleness;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Actors.Tests.Grains;

/// <summary>The per-silo tracker, its bound, its meter, and the alert rules, without a silo.</summary>
public sealed class StalenessTrackerTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private long NowMs => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private ProfileStalenessTracker Tracker(int maxTracked = 1000) => new(
        Options.Create(new ProfileOptions { StaleAfter = TimeSpan.FromHours(1) }),
        Options.Create(new StalenessOptions { MaxTrackedUsers = maxTracked, StalestUsers = 3, RecentFailures = 2 }),
        _services.GetRequiredService<IMeterFactory>(),
        _clock);

    [Fact]
    public void Past_its_bound_the_tracker_drops_the_freshest_and_always_keeps_a_failed_user()
    {
        using var tracker = Tracker(maxTracked: 2);
        tracker.Report("old", NowMs - 3_000);
        tracker.Report("older", NowMs - 5_000);

        tracker.Report("fresh", NowMs);                     // fresher than both: not kept
        Assert.Null(tracker.Find("fresh", NowMs));
        tracker.ReportFailure("failed", NowMs, NowMs, "disk I/O error");  // a failure displaces the freshest
        Assert.NotNull(tracker.Find("failed", NowMs));
        Assert.Null(tracker.Find("old", NowMs));

        var snapshot = tracker.Snapshot(NowMs);
        Assert.Equal(2, snapshot.Tracked);
        Assert.Equal(2, snapshot.Dropped);
        Assert.Equal(["failed", "older"], snapshot.Stalest.Select(p => p.UserId));
    }

    [Fact]
    public void Percentiles_stale_counts_and_failures_follow_the_clock()
    {
        using var tracker = Tracker();
        // Ages 1..100 minutes once the clock reaches the last report.
        for (var minutes = 1; minutes <= 100; minutes++) tracker.Report($"u{minutes}", NowMs - minutes * 60_000L);
        tracker.ReportFailure("f1", NowMs, NowMs, "first");
        tracker.ReportFailure("f2", NowMs, NowMs + 1, "second");
        tracker.ReportFailure("f3", NowMs, NowMs + 2, "third");

        var snapshot = tracker.Snapshot(NowMs);
        var ages = AgeSummary.Of([snapshot])!;
        Assert.Equal(103, snapshot.Tracked);
        Assert.Equal(40 + 3, snapshot.Stale);                // 61..100 minutes, and the three failures
        Assert.Equal(3, snapshot.RefreshFailed);
        Assert.Equal(100 * 60_000L, ages.MaxMs);
        Assert.Equal(49 * 60_000.0, ages.P50Ms, 49 * 60.0);  // within HdrHistogram's 0.1 %
        Assert.Equal(["third", "second"], snapshot.RecentFailures.Select(f => f.Error));
        Assert.Equal(3, snapshot.FailuresTotal);

        _clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(70 + 3, tracker.Snapshot(NowMs).Stale);
        tracker.Forget("u100");
        Assert.Equal(99 * 60_000L + 30 * 60_000L, AgeSummary.Of([tracker.Snapshot(NowMs)])!.MaxMs);
    }

    [Fact]
    public void The_meter_reports_the_same_figures()
    {
        using var tracker = Tracker();
        tracker.Report("a", NowMs);
        tracker.Report("b", NowMs);
        var factory = _services.GetRequiredService<IMeterFactory>();
        using var stale = new MetricCollector<int>(factory, ProfileStalenessTracker.MeterName, "actors.profile.stale_users");
        using var ages = new MetricCollector<double>(factory, ProfileStalenessTracker.MeterName, "actors.profile.feature_age");
        using var failures = new MetricCollector<long>(factory, ProfileStalenessTracker.MeterName, "actors.profile.refresh_failures");

        _clock.Advance(TimeSpan.FromHours(2));
        tracker.ReportFailure("b", NowMs, NowMs, "no such table: tip_views");
        stale.RecordObservableInstruments();
        ages.RecordObservableInstruments();

        Assert.Equal(2, stale.LastMeasurement!.Value);
        Assert.Equal(7200, ages.GetMeasurementSnapshot().Single(m => m.Tags["quantile"] as string == "max").Value);
        Assert.Equal(1, failures.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Theory]
    [InlineData(0, 10, 0, new string[0])]
    [InlineData(1, 10, 0, new[] { "warning stale_share" })]
    [InlineData(3, 10, 0, new[] { "critical stale_share" })]
    [InlineData(0, 10, 7, new[] { "warning max_age" })]
    [InlineData(3, 10, 25, new[] { "critical stale_share", "critical max_age" })]
    [InlineData(0, 0, 0, new string[0])]
    public void Alerts_take_the_highest_level_each_rule_reaches(int stale, int tracked, int maxAgeHours, string[] expected)
    {
        var options = new StalenessOptions
        {
            Warning = new StalenessThresholds { StaleShare = 0.1, MaxAge = TimeSpan.FromHours(6) },
            Critical = new StalenessThresholds { StaleShare = 0.3, MaxAge = TimeSpan.FromHours(24) },
        };
        var ages = new AgeSummary(0, 0, 0, maxAgeHours * 3_600_000L);

        var alerts = StalenessMonitor.Alerts(tracked, stale, ages, options);

        Assert.Equal(expected, alerts.Select(a => $"{a.Level} {a.Rule}"));
    }

    public void Dispose()
    {
        _services.Dispose();
    }
}
