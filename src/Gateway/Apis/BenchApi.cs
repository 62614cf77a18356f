using Actors.Abstractions;
using Actors.Gateway.Json;
using Actors.Grains;
using Actors.Grains.Options;
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
            .Accepts<ScoreRequest>("application/json");
        return app;
    }

    public static async Task<Ok<int>> PingAsync(string user_id, UserGrains grains) =>
        TypedResults.Ok(await grains.Ping(user_id).PingAsync());

    /// <summary>
    /// Reads the user's profile and bandit snapshots through the same grain storage provider, rebuilds
    /// the model, and runs the same scoring code and decision logging as the bandit grain.
    /// </summary>
    public static async Task<Results<Ok<ScoreResponse>, ValidationProblem>> ScoreStatelessAsync(
        HttpRequest http, UserGrains grains, ITipCatalog catalog, IEventStore store, IServiceProvider services,
        IOptions<GatewayOptions> options, IOptions<BanditOptions> bandit, TimeProvider time)
    {
        var limits = options.Value;
        var (request, problem) = await RequestBody.ReadAsync(http, WireJsonContext.Default.ScoreRequest, limits.MaxRequestBodyBytes);
        if (problem is not null) return problem;
        var validation = new Validation();
        validation.Id("user_id", request!.UserId);
        var candidates = ScoringApi.ResolveCandidates(request.Candidates, catalog, limits.MaxCandidates, validation);
        if (!validation.IsValid) return validation.ToProblem();

        var userId = request.UserId!;
        var storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Grains);
        var profileState = new GrainState<ProfileSnapshot>(new ProfileSnapshot());
        var banditState = new GrainState<BanditSnapshot>(new BanditSnapshot());
        await storage.ReadStateAsync("profile", grains.Profile(userId).GetGrainId(), profileState);
        await storage.ReadStateAsync("bandit", grains.Bandit(userId).GetGrainId(), banditState);

        var profile = profileState is { RecordExists: true, State: { } savedProfile } && savedProfile.MatchesRegistry()
            ? ProfileAccumulator.FromSlots(savedProfile.Slots).Values()
            : ProfileFeatureRegistry.Defaults();
        var model = banditState is { RecordExists: true, State: { } saved }
            ? LinUcb.FromState(new LinUcbState(saved.FeatureNames, saved.A, saved.B, saved.Updates), bandit.Value.ToLinUcbOptions())
            : new LinUcb(bandit.Value.ToLinUcbOptions());

        var now = time.GetUtcNow();
        var hour = request.Context?.Hour ?? now.Hour;
        if (hour is < 0 or > 23) return Validation.Single("context.hour", "context.hour must be an integer from 0 to 23.");
        var command = new ScoreCommand(Guid.CreateVersion7().ToString("N"), candidates!, hour, null, now.ToUnixTimeMilliseconds());
        var (result, decision) = BanditScoring.Score(model, userId, command, profile, Random.Shared);
        store.AppendDecision(decision);
        return TypedResults.Ok(ScoringApi.ToResponse(userId, result));
    }
}
