namespace Actors.Abstractions;

/// <summary>One per user: the profile features, kept by lazy TTL refresh and incremental updates.</summary>
/// <remarks>The only writer of its user's event log, so the user's events are numbered in one place.</remarks>
[Alias("actors.IUserProfileGrain")]
public interface IUserProfileGrain : IGrainWithStringKey
{
    /// <summary>Appends the events durably (each event id once, ever) and folds the new ones into the features.</summary>
    [Alias("RecordAsync")]
    Task<RecordedEvents> RecordAsync(FeedbackEvent[] events);

    /// <summary>The features, recomputed from the event store first when older than the TTL.</summary>
    [Alias("GetAsync")]
    Task<ProfileView> GetAsync();

    /// <summary>
    /// Deletes the user's events (after every append this grain made, which it awaited), clears the stored
    /// profile, resets the activation and deactivates it. Erase the profile before the bandit: once the events
    /// are gone, a bandit activation has nothing in the log to relearn.
    /// </summary>
    [Alias("EraseAsync")]
    Task<ErasureReport> EraseAsync();

    /// <summary>Writes the snapshot now if activation migrated it to the registry's feature list; true when it did.</summary>
    [Alias("MigrateAsync")]
    Task<bool> MigrateAsync();
}

/// <summary>One per user: that user's learned contextual-bandit state.</summary>
[Alias("actors.IBanditGrain")]
public interface IBanditGrain : IGrainWithStringKey
{
    [Alias("ScoreAsync")]
    Task<ScoreResult> ScoreAsync(ScoreCommand command);

    /// <summary>Learns from credited rewards already in the user's log; each takes effect once.</summary>
    [Alias("ObserveAsync")]
    Task ObserveAsync(ObservedEvents observed);

    [Alias("GetSummaryAsync")]
    Task<BanditSummary> GetSummaryAsync();

    /// <summary>The model by feature name, the per-tip records and how far into the log they reach, for the user's export.</summary>
    [Alias("ExportAsync")]
    Task<BanditExport> ExportAsync();

    /// <summary>
    /// Deletes the user's decisions (after every one this grain queued) and experiment assignments, tombstones the
    /// decisions' request ids, clears the stored bandit, resets the activation and deactivates it.
    /// </summary>
    [Alias("EraseAsync")]
    Task<ErasureReport> EraseAsync();

    /// <summary>For the admin page: estimates with their uncertainty, recent decisions and events, variants. Changes nothing.</summary>
    [Alias("InspectAsync")]
    Task<BanditInspection> InspectAsync(BanditInspectCommand command);

    /// <summary>Writes the snapshot now if activation migrated it to the configured features; true when it did.</summary>
    [Alias("MigrateAsync")]
    Task<bool> MigrateAsync();
}

/// <summary>Does nothing: the yardstick for what one grain call costs behind the gateway.</summary>
[Alias("actors.IPingGrain")]
public interface IPingGrain : IGrainWithStringKey
{
    [Alias("PingAsync")]
    ValueTask<int> PingAsync();
}
