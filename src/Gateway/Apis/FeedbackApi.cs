using System.Globalization;
using System.Text.RegularExpressions;
using Actors.Abstractions;
using Actors.Gateway.Json;
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
            .WithSummary("Record a view, complete or dismiss. Answers once the event is durable; an event_id counts once.")
            .Accepts<FeedbackRequest>("application/json")
            .WithTags("Feedback");
        return app;
    }

    public static async Task<Results<Ok<FeedbackResponse>, ValidationProblem>> RecordAsync(
        HttpRequest http, IGrainFactory grains, IOptions<GatewayOptions> options, TimeProvider time, ILogger<FeedbackRequest> logger)
    {
        var limits = options.Value;
        var (request, problem) = await RequestBody.ReadAsync(http, WireJsonContext.Default.FeedbackRequest, limits.MaxRequestBodyBytes);
        if (problem is not null) return problem;

        var validation = new Validation();
        validation.Id("event_id", request!.EventId);
        validation.Id("user_id", request.UserId);
        validation.Id("tip_id", request.TipId);
        validation.Id("request_id", request.RequestId, required: false);
        EventKind kind = default;
        if (request.Kind is null) validation.Add("kind", "kind is required: view, complete or dismiss.");
        else if (!EventKinds.TryParse(request.Kind, out kind)) validation.Add("kind", $"kind '{request.Kind}' is not one of view, complete, dismiss.");
        if (request.DwellMs is < 0) validation.Add("dwell_ms", "dwell_ms must be >= 0.");

        var now = time.GetUtcNow();
        var at = now;
        if (request.At is not null)
        {
            if (!Rfc3339().IsMatch(request.At) ||
                !DateTimeOffset.TryParse(request.At, CultureInfo.InvariantCulture, DateTimeStyles.None, out at))
            {
                validation.Add("at", "at must be an RFC 3339 time with an offset, such as 2026-11-26T09:30:00Z.");
            }
            else if (at > now + limits.MaxFutureSkew)
            {
                validation.Add("at", $"at lies more than {limits.MaxFutureSkew.TotalMinutes:0} minutes in the future.");
            }
        }
        if (!validation.IsValid) return validation.ToProblem();

        var feedback = new FeedbackEvent(request.EventId!, request.TipId!, kind, request.RequestId, request.DwellMs, at.ToUnixTimeMilliseconds());
        var receipt = await grains.GetGrain<IUserProfileGrain>(request.UserId!).RecordAsync(feedback);
        if (!receipt.Duplicate)
        {
            try
            {
                await grains.GetGrain<IBanditGrain>(request.UserId!).ObserveAsync(new ObservedEvent(receipt.UserSeq, feedback, receipt.Profile));
            }
            catch (Exception ex)
            {
                // The event is durable already; the bandit takes it from the log at its next gap or activation.
                logger.LogWarning(ex, "The bandit of {UserId} did not take event {EventId} now; it will replay it.", request.UserId, request.EventId);
            }
        }
        return TypedResults.Ok(new FeedbackResponse(Accepted: true, receipt.Duplicate));
    }

    /// <summary>RFC 3339 date-time: the offset is mandatory, unlike in .NET's own parsing.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();
}
