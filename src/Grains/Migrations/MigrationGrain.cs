using Actors.Abstractions;
using Actors.Grains.Options;
using Actors.Grains.Services;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Migrations;

/// <summary>A migration run as persisted: its counts and how far it has walked (every user up to <see cref="Cursor"/> is done).</summary>
[GenerateSerializer, Alias("actors.MigrationRunState")]
public sealed class MigrationRunState
{
    [Id(0)] public string State { get; set; } = "";
    [Id(1)] public long Total { get; set; }
    [Id(2)] public long Done { get; set; }
    [Id(3)] public long Migrated { get; set; }
    [Id(4)] public long Unchanged { get; set; }
    [Id(5)] public long Failed { get; set; }
    [Id(6)] public List<string> Errors { get; set; } = [];
    [Id(7)] public long StartedAtMs { get; set; }
    [Id(8)] public long? FinishedAtMs { get; set; }
    [Id(9)] public string? Cursor { get; set; }
    [Id(10)] public bool Counted { get; set; }
}

/// <summary>
/// Walks every user with events, page by page in user-id order, and asks both of the user's grains to write what
/// their activation migrated, a few users at a time. The walk runs on a one-shot grain timer that keeps the grain
/// active, not in the HTTP request, and persists its progress after each page: a run cut short by a silo stopping
/// resumes from its last page when it is next read (timers, unlike reminders, do not outlive the activation).
/// </summary>
[GrainType("migration")]
public sealed class MigrationGrain(
    [PersistentState("migration", StorageNames.Grains)] IPersistentState<MigrationRunState> run,
    IEventStore store,
    IOptions<MigrationOptions> options,
    TimeProvider time,
    ILogger<MigrationGrain> logger) : Grain, IMigrationGrain
{
    private const int PageSize = 256;
    private IGrainTimer? _walk;

    private MigrationRunState S => run.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.State == MigrationStates.Running) StartWalk();
        return Task.CompletedTask;
    }

    public async Task<MigrationStatus> StartAsync()
    {
        if (!run.RecordExists)
        {
            run.State = new MigrationRunState { State = MigrationStates.Running, StartedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds() };
            await run.WriteStateAsync();
            StartWalk();
        }
        return Status();
    }

    public Task<MigrationStatus?> GetAsync() => Task.FromResult(run.RecordExists ? Status() : null);

    private MigrationStatus Status() => new(
        this.GetPrimaryKeyString(), S.State, S.Total, S.Done, S.Migrated, S.Unchanged, S.Failed, S.Errors.ToArray(), S.StartedAtMs, S.FinishedAtMs);

    private void StartWalk() => _walk ??= this.RegisterGrainTimer(WalkAsync, new GrainTimerCreationOptions
    {
        DueTime = TimeSpan.Zero,
        Period = Timeout.InfiniteTimeSpan,
        // Reads of the progress are answered while the walk awaits its users.
        Interleave = true,
        KeepAlive = true,
    });

    private async Task WalkAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!S.Counted) await CountAsync();
            while (!cancellationToken.IsCancellationRequested)
            {
                var page = await store.ReadUserIdsAsync(S.Cursor, PageSize);
                if (page.Count == 0) break;
                await MigratePageAsync(page);
                S.Cursor = page[^1];
                await run.WriteStateAsync(CancellationToken.None);
            }
            if (cancellationToken.IsCancellationRequested) return;
            S.State = MigrationStates.Completed;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Migration run {Id} failed after {Done} users.", this.GetPrimaryKeyString(), S.Done);
            S.State = MigrationStates.Failed;
            AddError("the run stopped: the event store or grain storage failed (the silo log has the cause)");
        }
        S.FinishedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        await run.WriteStateAsync(CancellationToken.None);
        _walk?.Dispose();
        _walk = null;
    }

    private async Task CountAsync()
    {
        long total = 0;
        string? after = null;
        while (await store.ReadUserIdsAsync(after, 4096) is { Count: > 0 } page)
        {
            total += page.Count;
            after = page[^1];
        }
        S.Total = total;
        S.Counted = true;
        await run.WriteStateAsync(CancellationToken.None);
    }

    /// <summary>Migrates one page, <see cref="MigrationOptions.Concurrency"/> users at a time (all on this grain's scheduler, so the counts need no lock).</summary>
    private async Task MigratePageAsync(IReadOnlyList<string> users)
    {
        using var gate = new SemaphoreSlim(options.Value.Concurrency);
        await Task.WhenAll(users.Select(async user =>
        {
            await gate.WaitAsync();
            try
            {
                await MigrateUserAsync(user);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private async Task MigrateUserAsync(string user)
    {
        var changed = false;
        var failed = false;
        foreach (var (part, migrate) in new (string, Func<Task<bool>>)[]
        {
            ("bandit", () => GrainFactory.GetGrain<IBanditGrain>(user).MigrateAsync()),
            ("profile", () => GrainFactory.GetGrain<IUserProfileGrain>(user).MigrateAsync()),
        })
        {
            try
            {
                changed |= await migrate();
            }
            catch (Exception ex)
            {
                failed = true;
                logger.LogWarning(ex, "Migration run {Id}: the {Part} of {UserId} was not migrated.", this.GetPrimaryKeyString(), part, user);
                // The answer names the user and the part, never an exception's type or stack: those stay in the log.
                AddError($"user '{user}': {part} {(ex is TimeoutException ? "timed out" : "not migrated (the silo log has the cause)")}");
            }
        }
        S.Done++;
        if (failed) S.Failed++;
        else if (changed) S.Migrated++;
        else S.Unchanged++;
    }

    private void AddError(string error)
    {
        if (S.Errors.Count < options.Value.MaxErrors) S.Errors.Add(error);
    }
}
