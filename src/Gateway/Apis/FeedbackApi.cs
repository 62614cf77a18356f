using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Actors.Abstractions;
using Actors.Gateway.Json;
using Actors.Grains;
using Actors.Grains.Options;
using Actors.Learning.Profile;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Actors.Gateway.Apis;

public static partial class FeedbackApi
{
    public static IEndpointRouteBuilder MapFeedbackApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/feedback", RecordAsync)
            .WithName("Feedback")
            .WithSummary("Record a view, complete or dismiss, or a JSON array of them. Answers once the events are durable; an event_id counts once.")
            .Accepts<FeedbackRequest>("application/json")
            .Produces<FeedbackResponse>()
            .Produces<FeedbackBatchResponse>()
            .WithTags("Feedback");
        return app;
    }

    /// <summary>
    /// One event as an object, or a batch as an array (apps buffer events and flush them together).
    /// A batch is validated as a whole: one bad event rejects it and nothing is written.
    /// </summary>
    public static async Task<Results<Ok<FeedbackResponse>, Ok<FeedbackBatchResponse>, ValidationProblem>> RecordAsync(
        HttpRequest http, UserGrains grains, IOptions<GatewayOptions> options, IOptions<LimitsOptions> rules, TimeProvider time,
        ILogger<FeedbackRequest> logger)
    {
        var limits = options.Value;
        var (body, problem) = await RequestBody.ReadAsync(http, limits.MaxRequestBodyBytes, ParseBody);
        if (problem is not null) return problem;
        var (requests, isBatch) = body!;

        var validation = new Validation(rules.Value);
        if (requests.Count == 0) validation.Add("body", "A batch must hold at least one event.");
        if (requests.Count > limits.MaxFeedbackBatch) validation.Add("body", $"A batch holds at most {limits.MaxFeedbackBatch} events; got {requests.Count}.");
        var now = time.GetUtcNow();
        var events = new FeedbackEvent[requests.Count];
        for (var i = 0; i < requests.Count && validation.IsValid; i++)
        {
            events[i] = Validate(requests[i], isBatch ? $"[{i}]." : "", now, limits, validation)!;
        }
        if (!validation.IsValid) return validation.ToProblem();

        var duplicate = new bool[requests.Count];
        var byUser = Enumerable.Range(0, requests.Count).GroupBy(i => requests[i].UserId!, StringComparer.Ordinal);
        await Task.WhenAll(byUser.Select(user => RecordUserAsync(grains, user.Key, user.ToArray(), events, duplicate, logger)));

        if (!isBatch) return TypedResults.Ok(new FeedbackResponse(Accepted: true, duplicate[0]));
        var results = new FeedbackResult[requests.Count];
        for (var i = 0; i < results.Length; i++) results[i] = new FeedbackResult(events[i].EventId, Accepted: true, duplicate[i]);
        return TypedResults.Ok(new FeedbackBatchResponse(results));
    }

    /// <summary>Appends one user's events through the profile grain, then lets the user's bandit learn from the new rewards.</summary>
    private static async Task RecordUserAsync(
        UserGrains grains, string userId, int[] indices, FeedbackEvent[] events, bool[] duplicate, ILogger logger)
    {
        var userEvents = indices.Select(i => events[i]).ToArray();
        var userDuplicates = await FeedbackFlow.RecordAsync(grains.Profile(userId), grains.Bandit(userId), userEvents, logger);
        for (var k = 0; k < indices.Length; k++) duplicate[indices[k]] = userDuplicates[k];
    }

    private static FeedbackEvent? Validate(FeedbackRequest request, string prefix, DateTimeOffset now, GatewayOptions limits, Validation validation)
    {
        validation.Id($"{prefix}event_id", request.EventId);
        validation.UserId($"{prefix}user_id", request.UserId);
        validation.Id($"{prefix}tip_id", request.TipId);
        validation.Id($"{prefix}request_id", request.RequestId, required: false);
        EventKind kind = default;
        if (request.Kind is null) validation.Add($"{prefix}kind", "kind is required: view, complete or dismiss.");
        else if (!EventKinds.TryParse(request.Kind, out kind)) validation.Add($"{prefix}kind", $"kind '{request.Kind}' is not one of view, complete, dismiss.");
        if (request.DwellMs is < 0 or > (long)ProfileFeatureRegistry.MaxDwellMs)
        {
            validation.Add($"{prefix}dwell_ms", $"dwell_ms must lie in [0, {ProfileFeatureRegistry.MaxDwellMs:0}] (a day, in ms).");
        }

        var at = now;
        if (request.At is not null)
        {
            if (!Rfc3339().IsMatch(request.At) ||
                !DateTimeOffset.TryParse(request.At, CultureInfo.InvariantCulture, DateTimeStyles.None, out at))
            {
                validation.Add($"{prefix}at", "at must be an RFC 3339 time with an offset, such as 2026-11-26T09:30:00Z.");
            }
            else if (at > now + limits.MaxFutureSkew)
            {
                validation.Add($"{prefix}at", $"at lies more than {limits.MaxFutureSkew.TotalMinutes:0} minutes in the future.");
            }
        }
        return validation.IsValid
            ? new FeedbackEvent(request.EventId!, request.TipId!, kind, request.RequestId, request.DwellMs, at.ToUnixTimeMilliseconds())
            : null;
    }

    private static FeedbackBody? ParseBody(ReadOnlySequence<byte> body) => RequestBody.FirstToken(body) switch
    {
        JsonTokenType.StartArray => RequestBody.Parse(body, WireJsonContext.Default.ListFeedbackRequest) is { } batch
            ? new FeedbackBody(batch, IsBatch: true)
            : null,
        JsonTokenType.StartObject => RequestBody.Parse(body, WireJsonContext.Default.FeedbackRequest) is { } single
            ? new FeedbackBody([single], IsBatch: false)
            : null,
        _ => throw new JsonException("The body must be a feedback event object or an array of them.", "$", null, null),
    };

    private sealed record FeedbackBody(List<FeedbackRequest> Requests, bool IsBatch);

    /// <summary>RFC 3339 date-time: the offset is mandatory, unlike in .NET's own parsing.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
