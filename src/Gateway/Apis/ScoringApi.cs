using Actors.Abstractions;
using Actors.Gateway.Json;
using Actors.Grains.Options;
using Actors.Grains.Services;
using Actors.Learning.Profile;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Actors.Gateway.Apis;

public static class ScoringApi
{
    public static IEndpointRouteBuilder MapScoringApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/score", ScoreAsync)
            .WithName("Score")
            .WithSummary("Rank candidate tips for a user with that user's bandit.")
            .Accepts<ScoreRequest>("application/json")
            .Produces<ScoreResponse>()
            .ProducesValidationProblem()
            .WithTags("Scoring");
        return app;
    }

    public static async Task<IResult> ScoreAsync(
        HttpRequest http, UserGrains grains, ITipCatalog catalog, IOptions<GatewayOptions> options, IOptions<LimitsOptions> limits, TimeProvider time)
    {
        var (command, userId, problem) = await ReadCommandAsync(http, catalog, options.Value, limits.Value, time);
        if (problem is not null) return problem;
        var result = await grains.Bandit(userId!).ScoreAsync(command!);
        await ScoreFastPath.WriteAsync(http.HttpContext.Response, userId!, result);
        return Results.Empty;
    }

    /// <summary>
    /// Reads and validates a /score body into the command for the user's bandit: through the fast path
    /// when it is a plain request, else through the general one, which names every bad field.
    /// </summary>
    public static async Task<(ScoreCommand? Command, string? UserId, ValidationProblem? Problem)> ReadCommandAsync(
        HttpRequest http, ITipCatalog catalog, GatewayOptions gateway, LimitsOptions limits, TimeProvider time)
    {
        var (body, problem) = await RequestBody.ReadAsync(http, gateway.MaxRequestBodyBytes, buffer =>
            ScoreFastPath.TryRead(buffer, catalog, gateway.MaxCandidates, limits) is { } accepted
                ? new ScoreBody(accepted, null)
                : new ScoreBody(null, RequestBody.Parse(buffer, WireJsonContext.Default.ScoreRequest)));
        if (problem is not null) return (null, null, problem);

        var now = time.GetUtcNow();
        if (body!.Fast is { } fast)
        {
            return (NewCommand(fast.Candidates, fast.Hour ?? now.Hour, null, now), fast.UserId, null);
        }
        var request = body.General;
        if (request is null) return (null, null, Validation.Single("body", "The body must be a JSON value, not null."));

        var validation = new Validation(limits);
        validation.UserId("user_id", request.UserId);
        var candidates = ResolveCandidates(request.Candidates, catalog, gateway.MaxCandidates, validation);
        var hour = now.Hour;
        if (request.Context?.Hour is { } requestedHour)
        {
            if (requestedHour is < 0 or > 23) validation.Add("context.hour", "context.hour must be an integer from 0 to 23.");
            hour = requestedHour;
        }
        var profile = ProfileFeatures.FromRequest(request.ProfileFeatures, validation);
        if (!validation.IsValid) return (null, null, validation.ToProblem());
        return (NewCommand(candidates!, hour, profile, now), request.UserId, null);
    }

    /// <summary>Request ids are UUIDv7: unique, and in time order, so the decision log appends in key order.</summary>
    private static ScoreCommand NewCommand(TipCandidate[] candidates, int hour, double[]? profile, DateTimeOffset now) =>
        new(Guid.CreateVersion7().ToString("N"), candidates, hour, profile, now.ToUnixTimeMilliseconds());

    /// <summary>A /score body as read by the fast path, or else by the general one.</summary>
    private sealed record ScoreBody(ScoreFastPath.Accepted? Fast, ScoreRequest? General);

    /// <summary>Catalog ids become the catalog's cached candidates; inline tips are checked and built.</summary>
    public static TipCandidate[]? ResolveCandidates(List<CandidateInput>? inputs, ITipCatalog catalog, int maxCandidates, Validation validation)
    {
        if (inputs is null || inputs.Count == 0)
        {
            validation.Add("candidates", "candidates must hold at least one tip.");
            return null;
        }
        if (inputs.Count > maxCandidates)
        {
            validation.Add("candidates", $"candidates holds {inputs.Count} tips; the limit is {maxCandidates}.");
            return null;
        }

        var resolved = new TipCandidate[inputs.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var field = $"candidates[{i}]";
            if (input is null)
            {
                validation.Add(field, $"{field} must be a tip id or a tip object.");
                continue;
            }
            var idField = input.Inline ? $"{field}.tip_id" : field;
            if (!validation.Id(idField, input.TipId)) continue;
            if (!seen.Add(input.TipId!))
            {
                validation.Add(idField, $"{idField} repeats tip '{input.TipId}'.");
                continue;
            }

            if (!input.Inline)
            {
                if (catalog.TryGet(input.TipId!, out var tip)) resolved[i] = tip.AsCandidate;
                else validation.Add(field, $"{field} is '{input.TipId}', which is not in the catalog.");
                continue;
            }

            var categoryValid = validation.Slug($"{field}.category", input.Category);
            validation.TipFeatures($"{field}.features", input.Features);
            if (!categoryValid) continue;
            resolved[i] = new TipCandidate(input.TipId!, input.Category!, input.Features ?? [], InCatalog: false);
        }
        return resolved;
    }
}

/// <summary>Maps profile features between their wire form (by name) and registry order.</summary>
public static class ProfileFeatures
{
    public static double[]? FromRequest(Dictionary<string, double>? features, Validation validation)
    {
        if (features is null) return null;
        var values = ProfileFeatureRegistry.Defaults();
        foreach (var (name, value) in features)
        {
            var field = $"profile_features.{name}";
            var index = ProfileFeatureRegistry.IndexOf(name);
            if (index < 0)
            {
                validation.Add(field, $"{field} is not a profile feature; GET /profile/schema lists them.");
                continue;
            }
            var feature = ProfileFeatureRegistry.All[index];
            if (!double.IsFinite(value)) validation.Add(field, $"{field} must be a finite number.");
            else if (!feature.Admits(value))
            {
                var whole = feature.Dtype == FeatureDtype.Int64 ? "a whole number " : "";
                validation.Add(field, $"{field} must be {whole}in [{feature.Min}, {feature.Max}]; got {value}.");
            }
            values[index] = value;
        }
        return values;
    }

    public static Dictionary<string, double> ToDictionary(double[] values)
    {
        var features = ProfileFeatureRegistry.All;
        var named = new Dictionary<string, double>(features.Count, StringComparer.Ordinal);
        for (var i = 0; i < features.Count; i++) named[features[i].Name] = values[i];
        return named;
    }
}
