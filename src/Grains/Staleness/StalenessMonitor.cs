using Actors.Grains.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Staleness;

public static class AlertLevels
{
    public const string Warning = "warning";
    public const string Critical = "critical";
}

/// <summary>An active alert: which rule, at which level, the value against the threshold it reached.</summary>
public sealed record StalenessAlert(string Level, string Rule, double Value, double Threshold);

/// <summary>The cluster's staleness: every active silo's report merged, with the alerts they raise.</summary>
public sealed record StalenessReport(
    long AtMs,
    int Silos,
    int Tracked,
    int Stale,
    int RefreshFailed,
    long Dropped,
    AgeSummary? Ages,
    IReadOnlyList<TrackedProfile> Stalest,
    IReadOnlyList<RefreshFailure> RecentFailures,
    long FailuresTotal,
    IReadOnlyList<StalenessAlert> Alerts);

/// <summary>
/// Reads every active silo's staleness tracker (through its <see cref="IStalenessService"/>; the embedded
/// default has one silo) and merges them, and logs each alert's crossing once: <see cref="CheckAsync"/>
/// remembers the level each rule was at and logs only a change.
/// </summary>
public sealed class StalenessMonitor(
    IStalenessServiceClient silos,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IOptions<StalenessOptions> options,
    [FromKeyedServices(GrainClock.Key)] TimeProvider time,
    ILogger<StalenessMonitor> logger)
{
    public const string StaleShareRule = "stale_share";
    public const string MaxAgeRule = "max_age";

    private readonly StalenessOptions _options = options.Value;
    private readonly Dictionary<string, string?> _levels = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _checking = new(1, 1);

    /// <summary>The oldest active silo checks for crossings, so a cluster logs each crossing once.</summary>
    public bool ChecksForCluster =>
        ActiveSilos().OrderBy(s => s.Generation).ThenBy(s => s.ToString(), StringComparer.Ordinal).FirstOrDefault() is not { } oldest
        || oldest.Equals(localSilo.SiloAddress);

    public async Task<StalenessReport> ReportAsync()
    {
        var reports = await Task.WhenAll(ActiveSilos().Select(s => silos.On(s).ReportAsync()));
        return Merge(reports, time.NowMs(), _options);
    }

    /// <summary>The user's entry on whichever silo tracks it, or null when no silo does (their profile grain is not active).</summary>
    public async Task<TrackedProfile?> FindAsync(string userId)
    {
        var found = await Task.WhenAll(ActiveSilos().Select(s => silos.On(s).FindAsync(userId)));
        return found.FirstOrDefault(f => f is not null);
    }

    /// <summary>Reads the cluster's figures and logs every rule whose level changed since the last check.</summary>
    public async Task<StalenessReport> CheckAsync()
    {
        var report = await ReportAsync();
        await _checking.WaitAsync();
        try
        {
            foreach (var rule in new[] { StaleShareRule, MaxAgeRule })
            {
                var alert = report.Alerts.FirstOrDefault(a => a.Rule == rule);
                var previous = _levels.GetValueOrDefault(rule);
                if (alert?.Level == previous) continue;
                _levels[rule] = alert?.Level;
                if (alert is not null)
                {
                    logger.LogWarning(
                        "Profile staleness {Rule} crossed into {Level}: {Value} reached {Threshold} ({Stale} of {Tracked} tracked users stale).",
                        rule, alert.Level, alert.Value, alert.Threshold, report.Stale, report.Tracked);
                }
                else
                {
                    logger.LogInformation("Profile staleness {Rule} is back below the {Level} threshold.", rule, previous);
                }
            }
        }
        finally
        {
            _checking.Release();
        }
        return report;
    }

    public static StalenessReport Merge(IReadOnlyCollection<SiloStaleness> reports, long nowMs, StalenessOptions options)
    {
        var tracked = reports.Sum(r => r.Tracked);
        var stale = reports.Sum(r => r.Stale);
        var ages = AgeSummary.Of(reports);
        var stalest = reports.SelectMany(r => r.Stalest)
            .OrderByDescending(p => p.Error is not null).ThenByDescending(p => p.AgeMs).ThenBy(p => p.UserId, StringComparer.Ordinal)
            .Take(options.StalestUsers).ToArray();
        var failures = reports.SelectMany(r => r.RecentFailures).OrderByDescending(f => f.AtMs).Take(options.RecentFailures).ToArray();
        return new StalenessReport(
            nowMs, reports.Count, tracked, stale, reports.Sum(r => r.RefreshFailed), reports.Sum(r => r.Dropped), ages,
            stalest, failures, reports.Sum(r => r.FailuresTotal), Alerts(tracked, stale, ages, options));
    }

    /// <summary>
    /// Two rules, each at its highest level reached: the share of tracked users that are stale, and the
    /// oldest features' age in seconds. Nothing tracked raises nothing.
    /// </summary>
    public static IReadOnlyList<StalenessAlert> Alerts(int tracked, int stale, AgeSummary? ages, StalenessOptions options)
    {
        var alerts = new List<StalenessAlert>();
        if (tracked == 0) return alerts;
        var share = (double)stale / tracked;
        if (Level(share, options.Warning.StaleShare, options.Critical.StaleShare) is { } shareAlert)
        {
            alerts.Add(new StalenessAlert(shareAlert.Level, StaleShareRule, share, shareAlert.Threshold));
        }
        var maxAge = (ages?.MaxMs ?? 0) / 1000.0;
        if (Level(maxAge, options.Warning.MaxAge.TotalSeconds, options.Critical.MaxAge.TotalSeconds) is { } ageAlert)
        {
            alerts.Add(new StalenessAlert(ageAlert.Level, MaxAgeRule, maxAge, ageAlert.Threshold));
        }
        return alerts;
    }

    private static (string Level, double Threshold)? Level(double value, double warning, double critical) =>
        value >= critical ? (AlertLevels.Critical, critical)
        : value >= warning ? (AlertLevels.Warning, warning)
        : null;

    private IEnumerable<SiloAddress> ActiveSilos() =>
        membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress);
}

/// <summary>Checks the alerts every <see cref="StalenessOptions.CheckInterval"/> on the silo that checks for the cluster.</summary>
public sealed class StalenessWatch(StalenessMonitor monitor, IOptions<StalenessOptions> options, ILogger<StalenessWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (monitor.ChecksForCluster) await monitor.CheckAsync();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A silo joining or leaving mid-check; the next tick tries again.
                logger.LogDebug(ex, "Staleness check failed.");
            }
        }
    }
}
