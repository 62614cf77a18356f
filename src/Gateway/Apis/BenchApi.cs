using Actors.Abstractions;
using Actors.Gateway.Json;
using Actors.Grains;
using Actors.Grains.Options;
using Actors.Grains.Policies;
using Actors.Grains.Prior;
using Actors.Grains.Services;
using Actors.Learning.Bandits;
using Actors.Learning.Profile;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Actors.Gateway.Apis;

/// <summary>
/// Yardsticks for docs/benchmarks.md, mapped only when Gateway:BenchEndpoints is true:
/// the cost of one bare grain call, and the stateless design this service replaces.
/// </summary>
public static class BenchApi
{
    public static IEndpointRouteBuilder MapBenchApi(this IEndpointRouteBuilder app)
    {
        var bench = app.MapGroup("/bench").WithTags("Benchmarks");
        bench.MapGet("/ping", PingAsync).WithName("BenchPing").WithSummary("One call to a per-user grain that does nothing.");
        bench.MapPost("/score-stateless", ScoreStatelessAsync)
            .WithName("BenchScoreStateless")
            .WithSummary("/score as the seed's stateless scorer did it: user state read from the database on every request.")
            .Accepts<ScoreRequest>("application/json")
            .Produces<ScoreResponse>();
        return app;
    }

    public static async Task<Ok<int>> PingAsync(string user_id, UserGrains grains) =>
        TypedResults.Ok(await grains.Ping(user_id).PingAsync());

    /// <summary>
    /// Reads the user's profile and bandit snapshots through the same grain storage provider, rebuilds
    /// the model, and runs the same request parsing, scoring, decision logging and answer writing as
    /// /score: only the way the state is reached differs.
    /// </summary>
    public static async Task<IResult> ScoreStatelessAsync(
        HttpRequest http, UserGrains grains, ITipCatalog catalog, IEventStore store, IServiceProvider services,
        IOptions<GatewayOptions> options, IOptions<BanditOptions> bandit, BanditFeatureSet features, PriorCache prior, PolicyRollout rollout, TimeProvider time)
    {
        var (command, userId, problem) = await ScoringApi.ReadCommandAsync(
            http, catalog, options.Value, services.GetRequiredService<IOptions<LimitsOptions>>().Value, time);
        if (problem is not null) return problem;

        var storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Grains);
        var profileState = new GrainState<ProfileSnapshot>(new ProfileSnapshot());
        var banditState = new GrainState<BanditSnapshot>(new BanditSnapshot());
        await storage.ReadStateAsync("profile", grains.Profile(userId!).GetGrainId(), profileState);
        await storage.ReadStateAsync("bandit", grains.Bandit(userId!).GetGrainId(), banditState);

        var profile = command!.ProfileFeatures
            ?? (profileState is { RecordExists: true, State: { } savedProfile } && savedProfile.MatchesRegistry()
                ? ProfileAccumulator.FromSlots(savedProfile.Slots).Values()
                : ProfileFeatureRegistry.Defaults());
        var serving = await rollout.CurrentAsync();

        var (result, decision) = BanditScoring.Score(
            (banditState.State ?? new BanditSnapshot()).ToModels(bandit.Value.ToLinUcbOptions(), features, prior.Current, time.GetUtcNow().ToUnixTimeMilliseconds(), out _), new ServingPlan(serving.Live, serving.Shadows), userId!, command, profile, Random.Shared);
        store.AppendDecision(decision);
        await ScoreFastPath.WriteAsync(http.HttpContext.Response, userId!, result);
        return Results.Empty;
    }
}
