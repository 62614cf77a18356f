using Actors.Abstractions;
using Actors.Grains.Staleness;
using Actors.Learning.Profile;
using Actors.Silo;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Actors.Tests.Grains;

/// <summary>Profile grains report their features' age to the silo's tracker; time moves only when the tests move the grains' clock.</summary>
public sealed class StalenessGrainTests(ActorsCluster fixture) : IClassFixture<ActorsCluster>
{
    private static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);

    private StalenessMonitor Monitor => fixture.SiloServices.GetRequiredService<StalenessMonitor>();

    private long NowMs => fixture.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    private FeedbackEvent View(string id) => new(id, "t1", EventKind.View, null, 500, NowMs);

    [Fact]
    public async Task Features_older_than_StaleAfter_mark_the_user_stale_until_a_refresh()
    {
        var user = $"age-{Guid.NewGuid():N}";
        var profile = fixture.Grains.GetGrain<IUserProfileGrain>(user);
        await profile.RecordAsync([View($"{user}-1")]);

        var fresh = await Monitor.FindAsync(user);
        Assert.NotNull(fresh);
        Assert.Equal(0, fresh.AgeMs);
        Assert.False(fresh.Stale);

        fixture.Clock.Advance(StaleAfter);
        Assert.False((await Monitor.FindAsync(user))!.Stale);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var old = await Monitor.FindAsync(user);
        Assert.Equal((long)(StaleAfter.TotalMilliseconds + 1000), old!.AgeMs);
        Assert.Equal(StaleReasons.TooOld, old.Reason);
        var report = await Monitor.ReportAsync();
        Assert.Contains(report.Stalest, p => p.UserId == user && p.Reason == StaleReasons.TooOld);

        // A read past the TTL recomputes from the store: fresh again.
        var view = await profile.GetAsync();
        Assert.False(view.Stale);
        var refreshed = await Monitor.FindAsync(user);
        Assert.Equal(0, refreshed!.AgeMs);
        Assert.Null(refreshed.Reason);
    }

    [Fact]
    public async Task A_refresh_that_fails_on_the_real_database_marks_the_user_stale_and_is_listed()
    {
        var user = $"fail-{Guid.NewGuid():N}";
        var profile = fixture.Grains.GetGrain<IUserProfileGrain>(user);
        await profile.RecordAsync([View($"{user}-1")]);
        using var failures = new MetricCollector<long>(
            fixture.SiloServices.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), ProfileStalenessTracker.MeterName, "actors.profile.refresh_failures");

        await using (UnreadableViews())
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(3));
            var served = await profile.GetAsync();
            Assert.True(served.Stale, "the last known values are served, marked stale");
            Assert.Equal(1, served.Values[ProfileFeatureRegistry.IndexOf("tip_volume_30d")]);

            var tracked = await Monitor.FindAsync(user);
            Assert.Equal(StaleReasons.RefreshFailed, tracked!.Reason);
            Assert.Contains("tip_views", tracked.Error);
            var report = await Monitor.ReportAsync();
            var failure = Assert.Single(report.RecentFailures, f => f.UserId == user);
            Assert.Equal(NowMs, failure.AtMs);
            Assert.DoesNotContain("Exception", failure.Error);
            Assert.Equal(user, report.Stalest[0].UserId);
            Assert.Equal(1, failures.GetMeasurementSnapshot().EvaluateAsCounter());
        }

        // The database readable again, the next read past the TTL refreshes and clears it.
        fixture.Clock.Advance(TimeSpan.FromSeconds(3));
        Assert.False((await profile.GetAsync()).Stale);
        Assert.Null((await Monitor.FindAsync(user))!.Reason);
    }

    [Fact]
    public async Task A_deactivated_profile_is_no_longer_tracked()
    {
        var user = $"gone-{Guid.NewGuid():N}";
        var profile = fixture.Grains.GetGrain<IUserProfileGrain>(user);
        await profile.RecordAsync([View($"{user}-1")]);
        Assert.NotNull(await Monitor.FindAsync(user));

        await fixture.Cluster.DeactivateAsync(profile);

        Assert.Null(await Monitor.FindAsync(user));
    }

    /// <summary>
    /// Renames the view table in the real event database, so every profile aggregation fails there as it
    /// would on a damaged file; disposing renames it back.
    /// </summary>
    private UnreadableTable UnreadableViews() => new(ActorsSilo.BindStorage(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = fixture.DataDirectory }).Build()).EventDatabasePath);
}

public sealed class UnreadableTable : IAsyncDisposable
{
    private const string Table = "tip_views";
    private const string Hidden = "tip_views_unreadable";
    private readonly string _databasePath;

    public UnreadableTable(string databasePath)
    {
        _databasePath = databasePath;
        Rename(Table, Hidden);
    }

    public ValueTask DisposeAsync()
    {
        Rename(Hidden, Table);
        return ValueTask.CompletedTask;
    }

    private void Rename(string from, string to)
    {
        using var connection = new SqliteConnection($"Data Source={_databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"ALTER TABLE {from} RENAME TO {to};";
        command.ExecuteNonQuery();
    }
}
