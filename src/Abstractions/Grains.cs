namespace Actors.Abstractions;

/// <summary>One per user: the profile features, kept by lazy TTL refresh and incremental updates.</summary>
/// <remarks>The only writer of its user's event log, so the user's events are numbered in one place.</remarks>
[Alias("actors.IUserProfileGrain")]
public interface IUserProfileGrain : IGrainWithStringKey
{
    /// <summary>Appends the event durably (once per event id) and folds it into the features.</summary>
    [Alias("RecordAsync")]
    Task<FeedbackReceipt> RecordAsync(FeedbackEvent feedback);

    /// <summary>The features, recomputed from the event store first when older than the TTL.</summary>
    [Alias("GetAsync")]
    Task<ProfileView> GetAsync();
}

/// <summary>One per user: that user's learned contextual-bandit state.</summary>
[Alias("actors.IBanditGrain")]
public interface IBanditGrain : IGrainWithStringKey
{
    [Alias("ScoreAsync")]
    Task<ScoreResult> ScoreAsync(ScoreCommand command);

    /// <summary>Learns from an event already in the user's log; each user_seq takes effect once.</summary>
    [Alias("ObserveAsync")]
    Task ObserveAsync(ObservedEvent observed);

    [Alias("GetSummaryAsync")]
    Task<BanditSummary> GetSummaryAsync();
}

/// <summary>Does nothing: the yardstick for what one grain call costs behind the gateway.</summary>
[Alias("actors.IPingGrain")]
public interface IPingGrain : IGrainWithStringKey
{
    [Alias("PingAsync")]
    ValueTask<int> PingAsync();
}
