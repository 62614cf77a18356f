using Actors.Abstractions;
using Actors.Gateway.Json;
using Actors.Grains.Options;
using Actors.Learning.Profile;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.Gateway.Apis;

public static class ProfileApi
{
    public static IEndpointRouteBuilder MapProfileApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/users/{user_id}/profile", GetProfileAsync)
            .WithName("GetProfile")
            .WithSummary("A user's profile features; values older than the TTL are recomputed first.")
            .WithTags("Profiles");
        app.MapGet("/users/{user_id}/bandit", GetBanditAsync)
            .WithName("GetBandit")
            .WithSummary("What a user's bandit has learned: the features it was trained on, its weights and update count.")
            .WithTags("Profiles");
        app.MapGet("/profile/schema", GetSchema)
            .WithName("GetProfileSchema")
            .WithSummary("Names and dtypes of the profile features.")
            .WithTags("Profiles");
        return app;
    }

    public static async Task<Results<Ok<ProfileResponse>, ValidationProblem>> GetProfileAsync(string user_id, UserGrains grains, IOptions<LimitsOptions> limits)
    {
        var validation = new Validation(limits.Value);
        if (!validation.UserId("user_id", user_id)) return validation.ToProblem();
        var view = await grains.Profile(user_id).GetAsync();
        return TypedResults.Ok(new ProfileResponse(
            user_id, ProfileFeatures.ToDictionary(view.Values), DateTimeOffset.FromUnixTimeMilliseconds(view.ComputedAtMs), view.Stale));
    }

    public static async Task<Results<Ok<BanditResponse>, ValidationProblem>> GetBanditAsync(string user_id, UserGrains grains, IOptions<LimitsOptions> limits)
    {
        var validation = new Validation(limits.Value);
        if (!validation.UserId("user_id", user_id)) return validation.ToProblem();
        var summary = await grains.Bandit(user_id).GetSummaryAsync();
        return TypedResults.Ok(new BanditResponse(
            user_id, summary.Policy, summary.FeatureNames, summary.Updates, summary.RewardsThroughSeq, summary.Weights,
            summary.Experiments, summary.TipsWithRecords));
    }

    public static Ok<ProfileSchemaResponse> GetSchema() => TypedResults.Ok(Schema);

    /// <summary>The registry as published; the checked-in contract file must equal it.</summary>
    public static ProfileSchemaResponse Schema { get; } = new(ProfileFeatureRegistry.All
        .Select(f => new ProfileFeatureSchema(f.Name, f.DtypeName, $"{f.Window.TotalDays:0}d", f.Default, f.Description))
        .ToArray());
}
