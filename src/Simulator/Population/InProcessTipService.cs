using Orleans.Hosting;
using Actors.Abstractions;
using Actors.Grains;
using Actors.Grains.Services;
using Actors.Learning.Profile;
using Actors.Silo;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Actors.Simulator.Population;

/// <summary>
/// The real service's silo in this process, on a fresh temporary data directory that is deleted at the
/// end. Scoring and feedback go to the real grains, feedback through the same <see cref="FeedbackFlow"/>
/// as the gateway's /feedback.
/// </summary>
public sealed class InProcessTipService : ITipService
{
    private readonly IHost _host;
    private readonly string _dataDirectory;
    private readonly IGrainFactory _grains;
    private readonly Dictionary<string, TipCandidate> _candidates;
    private readonly ILogger _logger;
    private readonly int _concurrency;

    private InProcessTipService(IHost host, string dataDirectory, int concurrency)
    {
        _host = host;
        _dataDirectory = dataDirectory;
        _concurrency = concurrency;
        _grains = host.Services.GetRequiredService<IGrainFactory>();
        _logger = host.Services.GetRequiredService<ILogger<InProcessTipService>>();
        _candidates = host.Services.GetRequiredService<ITipCatalog>().List()
            .ToDictionary(t => t.TipId, t => t.AsCandidate, StringComparer.Ordinal);
    }

    public string Mode => "in-process";

    /// <summary>
    /// Starts the silo with orleans.config.json, then environment variables (Section__Key), then
    /// <paramref name="overrides"/>; the data directory, ports and dashboard are always the simulator's.
    /// </summary>
    public static async Task<InProcessTipService> StartAsync(
        IReadOnlyDictionary<string, string?> overrides, int concurrency, CancellationToken cancellationToken = default)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"actors-sim-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory);
        var settings = new Dictionary<string, string?>(overrides)
        {
            [$"{StorageOptions.Section}:{nameof(StorageOptions.DataDirectory)}"] = dataDirectory,
            [StorageOptions.DataDirectoryVariable] = dataDirectory,
            ["Orleans:Dashboard"] = "false",
            ["Orleans:SiloPort"] = FreePort().ToString(),
            ["Orleans:GatewayPort"] = FreePort().ToString(),
        };
        settings.TryAdd("Logging:LogLevel:Default", "Warning");

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddJsonFile(ConfigPath(), optional: false, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        // Stdout is the report's; the service's own log lines go to stderr.
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.UseOrleans(silo => silo.AddActors(builder.Configuration));

        var host = builder.Build();
        try
        {
            // As the gateway does: open the databases (schema, seed catalog) before the first grain needs them.
            host.Services.GetRequiredService<IEventStore>();
            await host.StartAsync(cancellationToken);
            return new InProcessTipService(host, dataDirectory, concurrency);
        }
        catch
        {
            host.Dispose();
            DeleteDirectory(dataDirectory);
            throw;
        }
    }

    public Task<IReadOnlyList<CatalogEntry>> CatalogAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CatalogEntry>>(_candidates.Values.Select(c => new CatalogEntry(c.TipId, c.Category)).ToArray());

    public async Task<ServedTip> ScoreAsync(
        string userId, IReadOnlyList<string> candidateIds, int hour, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var candidates = candidateIds.Select(id => _candidates[id]).ToArray();
        // Request ids as the gateway makes them: UUIDv7, so the decision log appends in key order.
        var command = new ScoreCommand(Guid.CreateVersion7().ToString("N"), candidates, hour, null, at.ToUnixTimeMilliseconds());
        var result = await _grains.GetGrain<IBanditGrain>(userId).ScoreAsync(command);
        return new ServedTip(result.RequestId, result.Policy, result.Ranked[0].TipId);
    }

    public Task SendAsync(IReadOnlyList<Reaction> reactions, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(reactions.GroupBy(r => r.UserId, StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = _concurrency, CancellationToken = cancellationToken },
            async (user, _) =>
            {
                var events = user.SelectMany(ToEvents).ToArray();
                await FeedbackFlow.RecordAsync(_grains.GetGrain<IUserProfileGrain>(user.Key), _grains.GetGrain<IBanditGrain>(user.Key), events, _logger);
            });

    internal static IEnumerable<FeedbackEvent> ToEvents(Reaction reaction)
    {
        var atMs = reaction.At.ToUnixTimeMilliseconds();
        yield return new FeedbackEvent(reaction.ViewEventId, reaction.TipId, EventKind.View, reaction.RequestId, Reaction.DwellMs, atMs);
        yield return new FeedbackEvent(reaction.ReactionEventId, reaction.TipId,
            reaction.Completed ? EventKind.Complete : EventKind.Dismiss, reaction.RequestId, null, atMs);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        SqliteConnection.ClearAllPools();
        DeleteDirectory(_dataDirectory);
    }

    /// <summary>ACTORS_CONFIG, as for the service, else the copy of the repository's file beside the binaries.</summary>
    internal static string ConfigPath() =>
        Environment.GetEnvironmentVariable("ACTORS_CONFIG") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(AppContext.BaseDirectory, "orleans.config.json");

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void DeleteDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException exception)
        {
            Console.Error.WriteLine($"Could not delete {path}: {exception.Message}");
        }
    }
}
