using Actors.Abstractions;
using Actors.Gateway.Json;
using Actors.Grains.Options;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Actors.Gateway.Apis;

/// <summary>GET /admin/prior: what the population has taught so far, as every new user's model starts from it.</summary>
public static class PriorApi
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 10_000;

    public static IEndpointRouteBuilder MapPriorApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/prior", GetPriorAsync)
            .WithName("GetPrior")
            .WithSummary("The population prior: version, rewards it rests on, and its terms (mean weight and precision per feature), largest |mean| first.")
            .WithTags("Admin");
        return app;
    }

    public static async Task<Results<Ok<PriorResponse>, ValidationProblem>> GetPriorAsync(
        int? limit, IGrainFactory grains, IOptions<BanditOptions> options)
    {
        var take = limit ?? DefaultLimit;
        if (take is < 0 or > MaxLimit)
        {
            var validation = new Validation();
            validation.Add("limit", $"limit must be between 0 and {MaxLimit}.");
            return validation.ToProblem();
        }
        var prior = options.Value.Prior;
        if (!prior.Enabled) return TypedResults.Ok(new PriorResponse(false, 0, 0, 0, null, 0, []));

        // Version -1 is never current, so the grain always answers with its estimate.
        var view = await grains.GetGrain<IPopulationPriorGrain>(IPopulationPriorGrain.Key).GetAsync(knownVersion: -1);
        if (view is null) return TypedResults.Ok(new PriorResponse(true, prior.Strength, 0, 0, null, 0, []));
        var terms = Enumerable.Range(0, view.Names.Length)
            .OrderByDescending(i => Math.Abs(view.Means[i])).ThenBy(i => view.Names[i], StringComparer.Ordinal)
            .Take(take)
            .Select(i => new PriorTermResponse(view.Names[i], view.Means[i], view.Precisions[i]))
            .ToArray();
        return TypedResults.Ok(new PriorResponse(
            true, view.Strength, view.Version, view.Rewards,
            view.Version > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(view.EstimatedAtMs) : null, view.Names.Length, terms));
    }
}
