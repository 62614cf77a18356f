using Actors.Abstractions;
using Actors.Gateway.Json;
using Actors.Grains.Evaluation;
using Actors.Grains.Policies;
using Actors.Learning.Bandits;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Actors.Gateway.Apis;

/// <summary>
/// The policy registry: GET /admin/policies lists every registered version and its stage, GET
/// /admin/policies/{name} gives its card, POST /admin/policies/{name}/promote moves it to another stage.
/// </summary>
public static class PoliciesApi
{
    public static IEndpointRouteBuilder MapPoliciesApi(this IEndpointRouteBuilder app)
    {
        var policies = app.MapGroup("/admin/policies").WithTags("Admin");
        policies.MapGet("/", ListAsync).WithName("ListPolicies").WithSummary("Every registered policy version with its stage.");
        policies.MapGet("/{name}", GetCardAsync).WithName("GetPolicy").WithSummary("A policy's card: inputs, hyperparameters, offline metrics, rollout history.");
        policies.MapPost("/{name}/promote", PromoteAsync)
            .Accepts<PromoteRequest>("application/json")
            .WithName("PromotePolicy")
            .WithSummary("Move a policy to candidate, shadow, live or retired; recorded in its history. Promoting one to live retires the live one.");
        return app;
    }

    public static async Task<Ok<List<PolicySummaryResponse>>> ListAsync(PolicyRollout rollout, PolicyCatalog catalog)
    {
        var records = await rollout.Registry.GetAsync();
        return TypedResults.Ok(records
            .Where(r => catalog.TryGet(r.Name, out _))
            .Select(r => new PolicySummaryResponse(r.Name, catalog[r.Name].Kind, r.Stage, At(r.History[^1].AtMs), catalog[r.Name].Hyperparameters))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList());
    }

    /// <summary>The card's offline metrics are the policy's evaluation on the current decision log (bounded by Evaluation:MaxDecisions).</summary>
    public static async Task<Results<Ok<PolicyCardResponse>, ProblemHttpResult>> GetCardAsync(
        string name, PolicyRollout rollout, PolicyCatalog catalog, BanditFeatureSet features, OfflineEvaluator evaluator, CancellationToken cancellationToken)
    {
        var record = (await rollout.Registry.GetAsync()).FirstOrDefault(r => r.Name == name);
        if (record is null || !catalog.TryGet(name, out _)) return UnknownPolicy(name);
        var evaluation = await evaluator.EvaluateAsync(name, cancellationToken);
        return TypedResults.Ok(Card(record, catalog, features) with { OfflineMetrics = EvaluationApi.ToResponse(evaluation) });
    }

    public static async Task<Results<Ok<PolicyCardResponse>, ValidationProblem, ProblemHttpResult>> PromoteAsync(
        string name, HttpRequest http, PolicyRollout rollout, PolicyCatalog catalog, BanditFeatureSet features, IOptions<GatewayOptions> options)
    {
        var (body, problem) = await RequestBody.ReadAsync(http, WireJsonContext.Default.PromoteRequest, options.Value.MaxRequestBodyBytes);
        if (problem is not null) return problem;
        var validation = new Validation();
        if (body!.Stage is null) validation.Add("stage", $"stage is required: one of {string.Join(", ", PolicyStages.All)}.");
        else if (!PolicyStages.All.Contains(body.Stage)) validation.Add("stage", $"stage '{body.Stage}' is not one of {string.Join(", ", PolicyStages.All)}.");
        if (body.Reason is { Length: > 500 }) validation.Add("reason", "reason holds at most 500 characters.");
        if (!validation.IsValid) return validation.ToProblem();
        if (!catalog.TryGet(name, out _)) return UnknownPolicy(name);

        var current = (await rollout.Registry.GetAsync()).First(r => r.Name == name);
        if (current.Stage == PolicyStages.Live && body.Stage != PolicyStages.Live)
        {
            return Validation.Problem(StatusCodes.Status409Conflict, "stage",
                $"'{name}' is live; promote another policy to live instead, which retires this one.");
        }
        var records = await rollout.Registry.PromoteAsync(name, body.Stage!, body.Reason);
        rollout.Apply(records);
        return TypedResults.Ok(Card(records.First(r => r.Name == name), catalog, features));
    }

    private static PolicyCardResponse Card(PolicyRecord record, PolicyCatalog catalog, BanditFeatureSet features)
    {
        var policy = catalog[record.Name];
        return new PolicyCardResponse(
            record.Name,
            policy.Kind,
            record.Stage,
            record.Fingerprint,
            PolicyCatalog.InputsOf(policy, features),
            policy.Hyperparameters,
            record.History.Select(h => new RolloutEntryResponse(h.Stage, At(h.AtMs), h.Reason)).ToArray());
    }

    private static ProblemHttpResult UnknownPolicy(string name) =>
        Validation.Problem(StatusCodes.Status404NotFound, "name", $"No policy '{name}' is registered; GET /admin/policies lists them.");

    private static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}
