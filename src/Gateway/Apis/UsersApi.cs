using System.Text.Json;
using Actors.Gateway.Json;
using Actors.Grains;
using Actors.Grains.Services;
using Actors.Learning.Profile;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.Gateway.Apis;

/// <summary>A user's data on request: all of it as one document, or erased everywhere.</summary>
public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/users/{user_id}/export", ExportAsync)
            .WithName("ExportUser")
            .WithSummary("Everything held about a user: events, decisions, experiment assignments, profile features, the bandit's model by feature name.")
            .WithTags("Users");
        app.MapDelete("/users/{user_id}", EraseAsync)
            .WithName("EraseUser")
            .WithSummary("Erase a user everywhere (events, decisions, assignments, both grains' state); idempotent; says what was removed.")
            .WithTags("Users");
        return app;
    }

    public static async Task<Results<Ok<UserExportResponse>, ValidationProblem>> ExportAsync(
        string user_id, UserGrains grains, IEventStore store, TimeProvider time)
    {
        var validation = new Validation();
        if (!validation.Id("user_id", user_id)) return validation.ToProblem();

        var profile = await grains.Profile(user_id).GetAsync();
        var bandit = await grains.Bandit(user_id).ExportAsync();
        var records = await store.ReadUserRecordsAsync(user_id);
        return TypedResults.Ok(new UserExportResponse(
            user_id,
            time.GetUtcNow(),
            new ExportedProfileResponse(ProfileFeatures.ToDictionary(profile.Values), Time(profile.ComputedAtMs), profile.Stale),
            bandit,
            records.Assignments.Select(a => new ExportedAssignmentResponse(a.Experiment, a.Variant, a.Salt, a.Weights, Time(a.AtMs))).ToArray(),
            records.Events.Select(e => new ExportedEventResponse(
                e.Event.EventId, e.UserSeq, EventKinds.Name(e.Event.Kind), e.Event.TipId, e.Event.RequestId, e.Event.DwellMs,
                Time(e.Event.AtMs), Time(e.ReceivedAtMs))).ToArray(),
            records.Decisions.Select(d => new ExportedDecisionResponse(
                d.RequestId, Time(d.CreatedAtMs), d.Policy, d.ChosenTipId, d.Hour, Parse(d.CandidatesJson), Parse(d.FeaturesJson),
                d.ShadowsJson is null ? null : Parse(d.ShadowsJson), d.PromptVersion, d.Experiment, d.Variant)).ToArray()));
    }

    public static async Task<Results<Ok<ErasureResponse>, ValidationProblem>> EraseAsync(string user_id, UserGrains grains)
    {
        var validation = new Validation();
        if (!validation.Id("user_id", user_id)) return validation.ToProblem();

        var report = await UserErasure.EraseAsync(grains.Profile(user_id), grains.Bandit(user_id));
        return TypedResults.Ok(new ErasureResponse(user_id, report.Removed, report.TombstonedRequestIds));
    }

    private static DateTimeOffset Time(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
