using System.Diagnostics.Metrics;
using Actors.Grains.Options;
using HdrHistogram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Staleness;

/// <summary>
/// What one silo knows about the age of its users' profile features. Each profile grain reports here when
/// it activates, refreshes (or fails to) and deactivates, so only users whose grain is active on this silo
/// are tracked, at most <see cref="StalenessOptions.MaxTrackedUsers"/>: past that the freshest entry makes
/// room for a staler one (a failed user always gets in), and the drop is counted. Ages are taken at read
/// time from the grain clock. The same figures feed the "Actors.Profile" meter.
/// </summary>
public sealed class ProfileStalenessTracker : IDisposable
{
    public const string MeterName = "Actors.Profile";

    /// <summary>Ages above a year are recorded as a year: beyond it the histogram's resolution is not worth its size.</summary>
    internal static readonly long HighestAgeMs = (long)TimeSpan.FromDays(366).TotalMilliseconds;

    /// <summary>Three significant digits: percentiles are exact to 0.1 %.</summary>
    internal const int SignificantDigits = 3;

    private const int MaxErrorLength = 300;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _byUser = new(StringComparer.Ordinal);
    private readonly SortedSet<Entry> _stalestFirst = new(Entry.StalestFirst);
    private readonly Queue<RefreshFailure> _failures = new();
    private readonly StalenessOptions _options;
    private readonly long _staleAfterMs;
    private readonly TimeProvider _time;
    private readonly Meter _meter;
    private readonly Counter<long> _failureCounter;
    private long _dropped;
    private long _failuresTotal;

    public ProfileStalenessTracker(
        IOptions<ProfileOptions> profile,
        IOptions<StalenessOptions> options,
        IMeterFactory meters,
        [FromKeyedServices(GrainClock.Key)] TimeProvider time)
    {
        _options = options.Value;
        _staleAfterMs = (long)profile.Value.StaleAfter.TotalMilliseconds;
        _time = time;
        _meter = meters.Create(MeterName);
        _failureCounter = _meter.CreateCounter<long>("actors.profile.refresh_failures", description: "Profile refreshes from the event store that failed.");
        _meter.CreateObservableGauge("actors.profile.tracked_users", () => Snapshot(_time.NowMs()).Tracked, description: "Users whose profile grain is active on this silo and tracked.");
        _meter.CreateObservableGauge("actors.profile.stale_users", () => Snapshot(_time.NowMs()).Stale, description: "Tracked users whose last refresh failed or whose features are older than Profile:StaleAfter.");
        _meter.CreateObservableGauge("actors.profile.feature_age", ObserveAges, unit: "s", description: "Age of tracked users' profile features (since last computed from the event store), by quantile.");
    }

    public long StaleAfterMs => _staleAfterMs;

    /// <summary>The user's features were computed from the event store at <paramref name="computedAtMs"/> (a refresh, or a snapshot loaded).</summary>
    public void Report(string userId, long computedAtMs) => Put(new Entry(userId, computedAtMs, Error: null));

    /// <summary>A refresh failed at <paramref name="atMs"/>; the user keeps the features computed at <paramref name="computedAtMs"/> and is stale until one succeeds.</summary>
    public void ReportFailure(string userId, long computedAtMs, long atMs, string error)
    {
        if (error.Length > MaxErrorLength) error = error[..MaxErrorLength];
        Put(new Entry(userId, computedAtMs, error));
        lock (_lock)
        {
            _failures.Enqueue(new RefreshFailure(atMs, userId, error));
            while (_failures.Count > _options.RecentFailures) _failures.Dequeue();
            _failuresTotal++;
        }
        _failureCounter.Add(1);
    }

    /// <summary>The user's grain deactivated: nothing on this silo serves those features any more.</summary>
    public void Forget(string userId)
    {
        lock (_lock)
        {
            if (_byUser.Remove(userId, out var entry)) _stalestFirst.Remove(entry);
        }
    }

    public TrackedProfile? Find(string userId, long nowMs)
    {
        lock (_lock)
        {
            return _byUser.TryGetValue(userId, out var entry) ? View(entry, nowMs) : null;
        }
    }

    public SiloStaleness Snapshot(long nowMs)
    {
        lock (_lock)
        {
            var ages = new LongHistogram(HighestAgeMs, SignificantDigits);
            int stale = 0, failed = 0;
            long maxAge = 0;
            foreach (var entry in _stalestFirst)
            {
                var age = AgeOf(entry, nowMs);
                ages.RecordValue(Math.Min(age, HighestAgeMs));
                maxAge = Math.Max(maxAge, age);
                if (entry.Error is not null) failed++;
                if (ReasonOf(entry, age) is not null) stale++;
            }
            var values = new List<long>();
            var counts = new List<long>();
            foreach (var bucket in ages.RecordedValues())
            {
                values.Add(bucket.ValueIteratedTo);
                counts.Add(bucket.CountAtValueIteratedTo);
            }
            return new SiloStaleness(
                nowMs, _byUser.Count, stale, failed, _dropped, values.ToArray(), counts.ToArray(), maxAge,
                _stalestFirst.Take(_options.StalestUsers).Select(e => View(e, nowMs)).ToArray(),
                _failures.Reverse().ToArray(),
                _failuresTotal);
        }
    }

    public void Dispose() => _meter.Dispose();

    private void Put(Entry entry)
    {
        lock (_lock)
        {
            if (_byUser.Remove(entry.UserId, out var old)) _stalestFirst.Remove(old);
            if (_byUser.Count >= _options.MaxTrackedUsers)
            {
                var freshest = _stalestFirst.Max!;
                _dropped++;
                if (Entry.StalestFirst.Compare(entry, freshest) >= 0) return;
                _stalestFirst.Remove(freshest);
                _byUser.Remove(freshest.UserId);
            }
            _byUser[entry.UserId] = entry;
            _stalestFirst.Add(entry);
        }
    }

    private IEnumerable<Measurement<double>> ObserveAges()
    {
        var snapshot = Snapshot(_time.NowMs());
        if (snapshot.Tracked == 0) yield break;
        var ages = AgeSummary.Of([snapshot])!;
        yield return new Measurement<double>(ages.P50Ms / 1000.0, new KeyValuePair<string, object?>("quantile", "p50"));
        yield return new Measurement<double>(ages.P90Ms / 1000.0, new KeyValuePair<string, object?>("quantile", "p90"));
        yield return new Measurement<double>(ages.P99Ms / 1000.0, new KeyValuePair<string, object?>("quantile", "p99"));
        yield return new Measurement<double>(ages.MaxMs / 1000.0, new KeyValuePair<string, object?>("quantile", "max"));
    }

    private TrackedProfile View(Entry entry, long nowMs)
    {
        var age = AgeOf(entry, nowMs);
        return new TrackedProfile(entry.UserId, entry.ComputedAtMs, age, ReasonOf(entry, age), entry.Error);
    }

    private string? ReasonOf(Entry entry, long ageMs) =>
        entry.Error is not null ? StaleReasons.RefreshFailed
        : ageMs > _staleAfterMs ? StaleReasons.TooOld
        : null;

    private static long AgeOf(Entry entry, long nowMs) => Math.Max(0, nowMs - entry.ComputedAtMs);

    /// <summary>Immutable, so its place in the sorted set never moves under it.</summary>
    private sealed record Entry(string UserId, long ComputedAtMs, string? Error)
    {
        /// <summary>Failed refreshes first, then the oldest features; the user id breaks ties so no two entries compare equal.</summary>
        public static readonly IComparer<Entry> StalestFirst = Comparer<Entry>.Create((a, b) =>
        {
            var byFailure = (b.Error is not null).CompareTo(a.Error is not null);
            if (byFailure != 0) return byFailure;
            var byAge = a.ComputedAtMs.CompareTo(b.ComputedAtMs);
            return byAge != 0 ? byAge : string.CompareOrdinal(a.UserId, b.UserId);
        });
    }
}

/// <summary>Percentiles of feature age over one or more silos' reports.</summary>
public sealed record AgeSummary(long P50Ms, long P90Ms, long P99Ms, long MaxMs)
{
    public static AgeSummary? Of(IReadOnlyCollection<SiloStaleness> silos)
    {
        var merged = new LongHistogram(ProfileStalenessTracker.HighestAgeMs, ProfileStalenessTracker.SignificantDigits);
        foreach (var silo in silos)
        {
            for (var i = 0; i < silo.AgeValuesMs.Length; i++) merged.RecordValueWithCount(silo.AgeValuesMs[i], silo.AgeCounts[i]);
        }
        if (merged.TotalCount == 0) return null;
        // The maximum is each silo's exact one; the percentiles are the histogram's (to 0.1 %), capped by it.
        var max = silos.Max(s => s.MaxAgeMs);
        return new AgeSummary(
            Math.Min(merged.GetValueAtPercentile(50), max),
            Math.Min(merged.GetValueAtPercentile(90), max),
            Math.Min(merged.GetValueAtPercentile(99), max),
            max);
    }
}
