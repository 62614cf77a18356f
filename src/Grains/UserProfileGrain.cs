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
    private static readonly string Layout = ProfileMigration.LayoutId(ProfileFeatureRegistry.All);
    private readonly long _ttlMs = (long)profileOptions.Value.Ttl.TotalMilliseconds;
    private readonly long _staleAfterMs = (long)profileOptions.Value.StaleAfter.TotalMilliseconds;
    private bool _refreshFailed;
    private ProfileAccumulator _features = new();
    private long _computedAtMs;
    private long _lastSeq;
    private long _lastRewardSeq;
    private bool _dirty;
    private List<ModelVersion> _history = [];
    /// <summary>The stored snapshot was laid out for another feature list and is not rewritten yet.</summary>
    private bool _migrationPending;

    private string UserId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var now = time.NowMs();
        var saved = snapshot.State;
        _history = [.. saved.History];
        var restored = snapshot.RecordExists ? Restore(saved) : null;
        if (restored is not null && now - saved.ComputedAtMs <= _ttlMs)
        {
            _features = ProfileAccumulator.FromSlots(restored.Slots);
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
            if (restored.Added.Count > 0) await AggregateAddedAsync(restored.Added);
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
            SlotCounts = ProfileFeatureRegistry.All.Select(f => f.SlotCount).ToArray(),
            FeatureSet = Layout,
            History = _history.ToArray(),
            Slots = _features.Slots.ToArray(),
            ComputedAtMs = _computedAtMs,
            LastSeq = _lastSeq,
            LastRewardSeq = _lastRewardSeq,
        };
        _dirty = false;
        try
        {
            await snapshot.WriteStateAsync(cancellationToken);
            _migrationPending = false;
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

    /// <summary>
    /// The stored slots in the registry's layout: as they are when laid out for it, else carried over by name and the
    /// change recorded (null when the stored layout cannot be read: then everything is recomputed, and recorded so).
    /// </summary>
    private ProfileMigrationResult? Restore(ProfileSnapshot saved)
    {
        if (saved.FeatureSet == Layout) return new ProfileMigrationResult(saved.Slots, [], saved.FeatureNames.Length, 0, 0);
        var from = saved.FeatureSet ?? BanditSnapshot.LegacyFeatureSet;
        var result = ProfileMigration.Migrate(saved.FeatureNames, saved.SlotCounts, saved.Slots, ProfileFeatureRegistry.All, profileOptions.Value.Renames);
        var version = new ModelVersion
        {
            AtMs = time.NowMs(), From = from, To = Layout,
            Kept = result?.Kept ?? 0, Renamed = result?.Renamed ?? 0, Dropped = result?.Dropped ?? saved.FeatureNames.Length,
            Description = result is null
                ? "stored layout unreadable; recomputed from the event store"
                : $"features={string.Join(',', ProfileFeatureRegistry.All.Select(f => f.Name))}; added={string.Join(',', result.Added)}",
        };
        _history.Add(version);
        _migrationPending = true;
        _dirty = true;
        logger.LogInformation("Profile of {UserId} migrated from {From} to {To}: {Kept} kept, {Renamed} renamed, {Dropped} dropped, added [{Added}].",
            UserId, from, Layout, version.Kept, version.Renamed, version.Dropped, string.Join(',', result?.Added ?? []));
        return result;
    }

    /// <summary>
    /// Fills features new to the stored snapshot from their SQL aggregation. It runs after the log replay, over the
    /// whole log (nothing moves meanwhile: this grain is the only writer), anchored at the same window start as the
    /// features carried over, so no event counts twice.
    /// </summary>
    private async Task AggregateAddedAsync(IReadOnlyList<string> added)
    {
        var aggregated = await store.AggregateProfileAsync(UserId, _computedAtMs);
        var slots = _features.Slots.ToArray();
        var offset = 0;
        foreach (var feature in ProfileFeatureRegistry.All)
        {
            if (added.Contains(feature.Name))
            {
                for (var k = 0; k < feature.SlotCount; k++) slots[offset + k] = aggregated.Slots[offset + k];
            }
            offset += feature.SlotCount;
        }
        _features = ProfileAccumulator.FromSlots(slots);
    }

    /// <summary>Writes the snapshot now when activation migrated it; true when it did.</summary>
    public async Task<bool> MigrateAsync()
    {
        if (!_migrationPending) return false;
        await FlushAsync(CancellationToken.None);
        if (_migrationPending) throw new InvalidOperationException("The migrated profile snapshot could not be written; the next flush retries.");
        return true;
    }
}
