namespace Actors.Abstractions;

/// <summary>
/// One admin migration run, keyed by its id: it walks every stored user in the background and has both of their
/// grains write the snapshot their activation migrated. Its progress is persisted, so any gateway can read it.
/// </summary>
[Alias("actors.IMigrationGrain")]
public interface IMigrationGrain : IGrainWithStringKey
{
    /// <summary>Starts the run (a second call changes nothing) and answers its state.</summary>
    [Alias("StartAsync")]
    Task<MigrationStatus> StartAsync();

    /// <summary>The run's state, or null when no run has this id.</summary>
    [Alias("GetAsync")]
    Task<MigrationStatus?> GetAsync();
}

/// <summary>Where a migration run stands.</summary>
/// <param name="State">running, completed or failed.</param>
/// <param name="Total">Users with events when the run started.</param>
/// <param name="Migrated">Users of whom at least one snapshot changed.</param>
/// <param name="Errors">The first failures, one line each (user and what failed); <see cref="Failed"/> counts them all.</param>
[GenerateSerializer, Immutable, Alias("actors.MigrationStatus")]
public sealed record MigrationStatus(
    [property: Id(0)] string Id,
    [property: Id(1)] string State,
    [property: Id(2)] long Total,
    [property: Id(3)] long Done,
    [property: Id(4)] long Migrated,
    [property: Id(5)] long Unchanged,
    [property: Id(6)] long Failed,
    [property: Id(7)] string[] Errors,
    [property: Id(8)] long StartedAtMs,
    [property: Id(9)] long? FinishedAtMs);

public static class MigrationStates
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}
