using System.Text.Json;
using Actors.Abstractions;

namespace Actors.Gateway.Json;

/// <summary>
/// GET /users/{id}/export: everything the service holds about one user. A user it holds nothing about gets the
/// same shape, empty: default profile features, an untrained bandit, no rows.
/// </summary>
public sealed record UserExportResponse(
    string UserId,
    DateTimeOffset ExportedAt,
    ExportedProfileResponse Profile,
    BanditExport Bandit,
    IReadOnlyList<ExportedAssignmentResponse> ExperimentAssignments,
    IReadOnlyList<ExportedEventResponse> Events,
    IReadOnlyList<ExportedDecisionResponse> Decisions);

public sealed record ExportedProfileResponse(IReadOnlyDictionary<string, double> Features, DateTimeOffset ComputedAt, bool Stale);

public sealed record ExportedAssignmentResponse(string Experiment, string Variant, string Salt, string Weights, DateTimeOffset AssignedAt);

public sealed record ExportedEventResponse(
    string EventId, long UserSeq, string Kind, string TipId, string? RequestId, long? DwellMs, DateTimeOffset At, DateTimeOffset ReceivedAt);

/// <summary>A decision as the log keeps it: candidates in serving order with their probabilities, the features used, the shadows' picks.</summary>
public sealed record ExportedDecisionResponse(
    string RequestId,
    DateTimeOffset CreatedAt,
    string Policy,
    string ChosenTipId,
    int Hour,
    JsonElement Candidates,
    JsonElement Features,
    JsonElement? Shadows,
    string? PromptVersion,
    string? Experiment,
    string? Variant);

/// <summary>DELETE /users/{id}: rows removed per table and grain states removed per grain, and the request ids tombstoned.</summary>
public sealed record ErasureResponse(string UserId, IReadOnlyDictionary<string, long> Removed, long TombstonedRequestIds);
