using Actors.Gateway.Json;
using Actors.Grains.Evaluation;
using Actors.Grains.Policies;
using Actors.Learning.Evaluation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.Gateway.Apis;

/// <summary>
/// GET /admin/evaluation?policy=NAME estimates what a registered policy would have earned on the latest
/// rewarded decisions, learning only from what it would have been shown (the replay of Li et al., with IPS,
/// SNIPS and doubly robust forms on the same pass, each with a 95 % bootstrap interval), beside the mean
/// reward the logging policies observed. See <see cref="OfflineEvaluator"/> for the replay.
/// </summary>
public static class EvaluationApi
{
    public static IEndpointRouteBuilder MapEvaluationApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/evaluation", GetEvaluationAsync)
            .WithName("GetEvaluation")
            .WithSummary("Off-policy estimates (replay, IPS, SNIPS, DR with 95 % intervals) of a policy's value on the decision log, learning only from what it would have been shown, beside the logged value.")
            .WithTags("Admin");
        return app;
    }

    public static async Task<Results<Ok<EvaluationResponse>, ValidationProblem, ProblemHttpResult>> GetEvaluationAsync(
        string? policy, OfflineEvaluator evaluator, PolicyCatalog catalog, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        if (!validation.Id("policy", policy)) return validation.ToProblem();
        if (!catalog.TryGet(policy!, out _))
        {
            return Validation.Problem(StatusCodes.Status404NotFound, "policy",
                $"policy '{policy}' is not a registered policy; registered: {string.Join(", ", catalog.Names)}.");
        }
        return TypedResults.Ok(ToResponse(await evaluator.EvaluateAsync(policy!, cancellationToken)));
    }

    public static EvaluationResponse ToResponse(PolicyEvaluation evaluation) => new(
        evaluation.Policy,
        evaluation.N,
        evaluation.Accepted,
        evaluation.LoggingValue,
        PolicyEvaluation.Headline,
        new EvaluationEstimates(ToResponse(evaluation.Replay), ToResponse(evaluation.Ips), ToResponse(evaluation.Snips), ToResponse(evaluation.DoublyRobust)));

    private static EstimateResponse? ToResponse(Estimate? estimate) =>
        estimate is { } e ? new EstimateResponse(e.Value, e.CiLow, e.CiHigh) : null;
}
