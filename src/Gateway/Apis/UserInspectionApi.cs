using System.Globalization;
using Actors.Abstractions;
using Actors.Gateway.Json;
using Actors.Grains;
using Actors.Grains.Options;
using Actors.Grains.Services;
using Actors.Grains.Staleness;
using Actors.Learning.Profile;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Actors.Gateway.Apis;

/// <summary>
/// GET /admin/users/{user_id}: one user for the admin page: profile features with their age, the
/// categories and catalog tips their bandit favours with the uncertainty of each estimate, recent
/// decisions and reactions, experiment variants and staleness. Reads only; an unknown user is a 404.
/// </summary>
public static class UserInspectionApi
{
    public const int DefaultTop = 10;
    public const int MaxTop = 100;
    public const int MaxDecisions = 20;
    public const int MaxReactions = 20;

    public static IEndpointRouteBuilder MapUserInspectionApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/users/{user_id}", GetUserAsync)
            .WithName("InspectUser")
            .WithSummary("One user: features with their age, favoured categories and tips with uncertainty, recent decisions and reactions, variants, staleness.")
            .WithTags("Admin");
        return app;
    }

    public static async Task<Results<Ok<UserInspectionResponse>, ValidationProblem, ProblemHttpResult>> GetUserAsync(
        string user_id, string? top, string? hour, UserGrains grains, ITipCatalog catalog, StalenessMonitor staleness,
        IOptions<ProfileOptions> profileOptions, [FromKeyedServices(GrainClock.Key)] TimeProvider clock)
    {
        var validation = new Validation();
        validation.Id("user_id", user_id);
        var topCount = Integer(validation, "top", top, 1, MaxTop) ?? DefaultTop;
        var now = clock.GetUtcNow();
        var atHour = Integer(validation, "hour", hour, 0, 23) ?? now.UtcDateTime.Hour;
        if (!validation.IsValid) return validation.ToProblem();

        var tips = catalog.List();
        var categories = tips.Select(t => t.Category).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        // A category is estimated as a tip of it with no numeric features: its own terms and the user's.
        var candidates = categories.Select(c => new TipCandidate($"category:{c}", c, Features: null, InCatalog: false))
            .Concat(tips.Select(t => t.AsCandidate)).ToArray();
        var inspection = await grains.Bandit(user_id).InspectAsync(new BanditInspectCommand(candidates, atHour, MaxDecisions, MaxReactions));
        if (!inspection.Known)
        {
            return Validation.Problem(StatusCodes.Status404NotFound, "user_id",
                $"user '{user_id}' has no events, decisions, experiment assignments or stored model.");
        }

        var profile = inspection.Profile!;
        var nowMs = now.ToUnixTimeMilliseconds();
        var featureAge = Math.Max(0, nowMs - profile.ComputedAtMs) / 1000.0;
        var features = ProfileFeatureRegistry.All.Select((f, i) => (f.Name, Feature: new FeatureWithAge(profile.Values[i], featureAge)))
            .ToDictionary(p => p.Name, p => p.Feature);

        var estimates = inspection.Estimates;
        var favouredCategories = categories.Select((c, i) => new FavouredCategory(c, estimates[i].Mean, estimates[i].StdDev))
            .OrderByDescending(c => c.Estimate).ThenBy(c => c.Category, StringComparer.Ordinal).ToArray();
        var favouredTips = tips.Select((t, i) => new FavouredTip(t.TipId, t.Category, estimates[categories.Length + i].Mean, estimates[categories.Length + i].StdDev))
            .OrderByDescending(t => t.Estimate).ThenBy(t => t.TipId, StringComparer.Ordinal).Take(topCount).ToArray();

        var tracked = await staleness.FindAsync(user_id);
        var userStaleness = tracked is not null
            ? new UserStalenessResponse(true, tracked.Stale, tracked.Reason, tracked.AgeMs / 1000.0, tracked.Error)
            : Untracked(profile, featureAge, profileOptions.Value.StaleAfter);

        return TypedResults.Ok(new UserInspectionResponse(
            user_id,
            inspection.Policy,
            inspection.Updates,
            inspection.Experiments,
            features,
            DateTimeOffset.FromUnixTimeMilliseconds(profile.ComputedAtMs),
            atHour,
            favouredCategories,
            favouredTips,
            inspection.RecentDecisions.Select(d => new DecisionResponse(
                d.RequestId, DateTimeOffset.FromUnixTimeMilliseconds(d.AtMs), d.Policy, d.ServedTipId, d.Probability, d.Hour, d.Candidates, d.Experiment, d.Variant)).ToArray(),
            inspection.RecentEvents.Select(e => new ReactionResponse(
                e.Event.EventId, e.Event.TipId, EventKinds.Name(e.Event.Kind), e.Event.RequestId, e.Event.DwellMs, DateTimeOffset.FromUnixTimeMilliseconds(e.Event.AtMs))).ToArray(),
            userStaleness));
    }

    /// <summary>No silo tracks the user (their profile grain is not active): judged from the features the bandit holds.</summary>
    private static UserStalenessResponse Untracked(ProfileView profile, double ageSeconds, TimeSpan staleAfter)
    {
        var reason = ageSeconds > staleAfter.TotalSeconds ? StaleReasons.TooOld
            : profile.Stale ? StaleReasons.RefreshFailed
            : null;
        return new UserStalenessResponse(false, reason is not null, reason, ageSeconds, null);
    }

    private static int? Integer(Validation validation, string field, string? text, int min, int max)
    {
        if (text is null) return null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        validation.Add(field, $"{field} must be an integer from {min} to {max}.");
        return null;
    }
}
