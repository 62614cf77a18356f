using Actors.Abstractions;
using Actors.Grains.Options;
using Actors.Grains.Services;
using Actors.Grains.Staleness;
using Actors.Learning.Profile;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains;

public sealed class UserProfileGrain(
    [PersistentState("profile", StorageNames.Grains)] IPersistentState<ProfileSnapshot> snapshot,
    IEventStore store,
    IOptions<ProfileOptions> profileOptions,
    IOptions<SnapshotOptions> snapshotOptions,
    [FromKeyedServices(GrainClock.Key)] TimeProvider time,
    ProfileStalenessTracker staleness,
    ILogger<UserProfileGrain> logger) : Grain, IUserProfileGrain
{
    private readonly long _ttlMs = (long)profileOptions.Value.Ttl.TotalMilliseconds;
    private readonly long _staleAfterMs = (long)profileOptions.Value.StaleAfter.TotalMilliseconds;
    private bool _refreshFailed;
    private ProfileAccumulator _features = new();
    private long _computedAtMs;
    private long _lastSeq;
    private long _lastRewardSeq;
    private bool _dirty;

    private string UserId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var now = time.NowMs();
        var saved = snapshot.State;
        if (snapshot.RecordExists && saved.MatchesRegistry() && now - saved.ComputedAtMs <= _ttlMs)
        {
            _features = ProfileAccumulator.FromSlots(saved.Slots);
            _computedAtMs = saved.ComputedAtMs;
            _lastSeq = saved.LastSeq;
            _lastRewardSeq = saved.LastRewardSeq;
            var behind = await store.ReadUserEventsAsync(UserId, _lastSeq);
            foreach (var logged in behind)
            {
                _features.Apply(ToProfileEvent(logged.Event), now);
                _lastSeq = logged.UserSeq;
                _dirty = true;
            }
            // Which of those took a credit is the store's record, not the events'.
            if (behind.Count > 0) _lastRewardSeq = await store.LastRewardSeqAsync(UserId);
            staleness.Report(UserId, _computedAtMs);
        }
        else
        {
            await RefreshAsync(now);
        }

        var interval = snapshotOptions.Value.Interval;
        this.RegisterGrainTimer(FlushAsync, interval, interval);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        staleness.Forget(UserId);
        return FlushAsync(cancellationToken);
    }

    public async Task<RecordedEvents> RecordAsync(FeedbackEvent[] events)
    {
        var now = time.NowMs();
        if (now - _computedAtMs > _ttlMs) await TryRefreshAsync(now);

        AppendedEvents appended;
        try
        {
            appended = await store.AppendEventsAsync(UserId, _lastSeq + 1, events);
        }
        catch (ErasedRequestException refused)
        {
            return new RecordedEvents(new long[events.Length], View(now), _lastRewardSeq, new bool[events.Length], refused.RequestId);
        }
        var seqs = appended.UserSeqs;
        var previousRewardSeq = _lastRewardSeq;
        for (var i = 0; i < events.Length; i++)
        {
            if (seqs[i] == 0) continue;
            _lastSeq = seqs[i];
            if (appended.Credited[i]) _lastRewardSeq = seqs[i];
            _features.Apply(ToProfileEvent(events[i]), now);
            _dirty = true;
        }
        return new RecordedEvents(seqs, View(now), previousRewardSeq, appended.Credited);
    }

    public async Task<ProfileView> GetAsync()
    {
        var now = time.NowMs();
        if (now - _computedAtMs > _ttlMs) await TryRefreshAsync(now);
        return View(now);
    }

    private ProfileView View(long now) => new(_features.Values(), _computedAtMs, Stale: _refreshFailed || now - _computedAtMs > _staleAfterMs);

    private async Task TryRefreshAsync(long now)
    {
        try
        {
            await RefreshAsync(now);
        }
        catch (Exception ex)
        {
            // Serving last-known values (reported as stale) beats failing the caller.
            logger.LogWarning(ex, "Profile refresh for {UserId} failed; serving values computed at {ComputedAt}.", UserId, _computedAtMs);
        }
    }

    /// <summary>Recomputes, and tells the silo's staleness tracker how it went.</summary>
    private async Task RefreshAsync(long now)
    {
        try
        {
            await RecomputeAsync(now);
            _refreshFailed = false;
            staleness.Report(UserId, now);
        }
        catch (Exception ex)
        {
            _refreshFailed = true;
            // The message only: it names what failed (a table, a file) without this code's type names.
            staleness.ReportFailure(UserId, _computedAtMs, now, ex.Message);
            throw;
        }
    }

    /// <summary>Recomputes from the event store. This grain is its user's only writer, so nothing moves meanwhile.</summary>
    private async Task RecomputeAsync(long now)
    {
        var lastSeq = await store.LastUserSeqAsync(UserId);
        var lastRewardSeq = await store.LastRewardSeqAsync(UserId);
        _features = await store.AggregateProfileAsync(UserId, now);
        _lastSeq = lastSeq;
        _lastRewardSeq = lastRewardSeq;
        _computedAtMs = now;
        // A user with no events needs no snapshot (recomputing nothing is cheap), and a read must not leave a row
        // naming an id the service holds nothing about: an export or profile read after an erasure, say.
        _dirty = lastSeq > 0 || snapshot.RecordExists;
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_dirty) return;
        snapshot.State = new ProfileSnapshot
        {
            FeatureNames = ProfileFeatureRegistry.All.Select(f => f.Name).ToArray(),
            Slots = _features.Slots.ToArray(),
            ComputedAtMs = _computedAtMs,
            LastSeq = _lastSeq,
            LastRewardSeq = _lastRewardSeq,
        };
        _dirty = false;
        try
        {
            await snapshot.WriteStateAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            _dirty = true;
            logger.LogWarning(ex, "Profile snapshot for {UserId} failed; the event log still holds every event.", UserId);
        }
    }

    internal static ProfileEvent ToProfileEvent(FeedbackEvent e) => new(e.Kind, e.AtMs, e.DwellMs);

    public async Task<ErasureReport> EraseAsync()
    {
        // No append of this grain is in flight (each is awaited, and the grain is not reentrant), so the writer
        // deletes every event of the user; one that arrives later is the fresh user's first.
        var erased = await store.EraseUserEventsAsync(UserId);
        var removed = new Dictionary<string, long>(erased.Removed, StringComparer.Ordinal) { ["profile_state"] = snapshot.RecordExists ? 1 : 0 };
        await snapshot.ClearStateAsync();
        _features = new ProfileAccumulator();
        _lastSeq = 0;
        _lastRewardSeq = 0;
        _computedAtMs = time.NowMs();
        _dirty = false;
        DeactivateOnIdle();
        return new ErasureReport(removed, erased.TombstonedRequestIds);
    }
}
