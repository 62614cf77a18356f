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
            foreach (var logged in await store.ReadUserEventsAsync(UserId, _lastSeq))
            {
                _features.Apply(ToProfileEvent(logged.Event), now);
                _lastSeq = logged.UserSeq;
                if (logged.Event.CarriesReward) _lastRewardSeq = logged.UserSeq;
                _dirty = true;
            }
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

        var seqs = await store.AppendEventsAsync(UserId, _lastSeq + 1, events);
        var previousRewardSeq = _lastRewardSeq;
        for (var i = 0; i < events.Length; i++)
        {
            if (seqs[i] == 0) continue;
            _lastSeq = seqs[i];
            if (events[i].CarriesReward) _lastRewardSeq = seqs[i];
            _features.Apply(ToProfileEvent(events[i]), now);
            _dirty = true;
        }
        return new RecordedEvents(seqs, View(now), previousRewardSeq);
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
        _dirty = true;
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
}
