namespace Actors.Simulator.Population;

/// <summary>A catalog tip as the simulator needs it: the truth depends on the category only.</summary>
public sealed record CatalogEntry(string TipId, string Category);

/// <summary>What the service answered to one scoring request: the first of its ranking is served.</summary>
public sealed record ServedTip(string RequestId, string Policy, string TipId);

/// <summary>A user's reaction to a served tip: a view, then a complete or a dismiss, credited to the decision.</summary>
public sealed record Reaction(string UserId, string TipId, string RequestId, bool Completed, DateTimeOffset At, string EventIdPrefix)
{
    public const long DwellMs = 1500;

    public string ViewEventId => $"{EventIdPrefix}-view";

    public string ReactionEventId => $"{EventIdPrefix}-{(Completed ? "complete" : "dismiss")}";
}

/// <summary>The service under simulation: the real grains in this process, or a running service over HTTP.</summary>
public interface ITipService : IAsyncDisposable
{
    /// <summary>"in-process" or "http".</summary>
    string Mode { get; }

    Task<IReadOnlyList<CatalogEntry>> CatalogAsync(CancellationToken cancellationToken);

    Task<ServedTip> ScoreAsync(string userId, IReadOnlyList<string> candidateIds, int hour, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Sends a round's reactions; returns once the service has acknowledged them (they are durable).</summary>
    Task SendAsync(IReadOnlyList<Reaction> reactions, CancellationToken cancellationToken);
}
