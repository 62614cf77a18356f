using Actors.Gateway.Json;
using Actors.Generation;
using Actors.Grains.Options;
using Actors.Grains.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Actors.Gateway.Apis;

/// <summary>
/// POST /generate writes a new tip for a user from a versioned prompt and adds it to the catalog (source
/// "generated", with its prompt_version), so /score can rank it and feedback on it is attributed to the
/// variant. GET /prompts lists the versions.
/// </summary>
public static class GenerationApi
{
    public static IEndpointRouteBuilder MapGenerationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/generate", GenerateAsync)
            .WithName("Generate")
            .WithSummary("Write a new tip for a user with a prompt version; the tip joins the catalog.")
            .Accepts<GenerateRequest>("application/json")
            .WithTags("Generation");
        app.MapGet("/prompts", ListPrompts).WithName("ListPrompts").WithSummary("The prompt versions.").WithTags("Generation");
        return app;
    }

    public static Ok<PromptsResponse> ListPrompts(PromptRegistry registry) => TypedResults.Ok(new PromptsResponse(
        registry.Templates.Select(t => new PromptVersionResponse(t.Version, t.Placeholders)).ToArray()));

    public static async Task<Results<Ok<GenerateResponse>, ValidationProblem, ProblemHttpResult>> GenerateAsync(
        HttpRequest http, UserGrains grains, ITipCatalog catalog, IEventStore store, PromptRegistry registry,
        PromptSelection selection, TipWriter writer, IOptions<GatewayOptions> options, IOptions<GenerationOptions> generation,
        IOptions<LlmOptions> llm, IOptions<LimitsOptions> limits, TimeProvider time)
    {
        var (request, problem) = await RequestBody.ReadAsync(http, WireJsonContext.Default.GenerateRequest, options.Value.MaxRequestBodyBytes);
        if (problem is not null) return problem;

        var validation = new Validation(limits.Value);
        validation.UserId("user_id", request!.UserId);
        if (request.PromptVersion is { } asked && !registry.TryGet(asked, out _))
        {
            validation.Add("prompt_version", $"prompt_version '{asked}' is not known; known versions: {string.Join(", ", registry.Versions)}.");
        }
        var hour = request.Context?.Hour ?? time.GetUtcNow().Hour;
        if (hour is < 0 or > 23) validation.Add("context.hour", "context.hour must be an integer from 0 to 23.");
        if (!validation.IsValid) return validation.ToProblem();

        var userId = request.UserId!;
        var version = request.PromptVersion ?? selection.ForUser(userId);
        var profile = await grains.Profile(userId).GetAsync();
        var bandit = await grains.Bandit(userId).GetSummaryAsync();
        var recent = new List<RecentTip>();
        foreach (var (tipId, kind) in await store.RecentReactionsAsync(userId, generation.Value.RecentTips))
        {
            if (catalog.TryGet(tipId, out var seen)) recent.Add(new RecentTip(seen.Text, seen.Category, kind));
        }
        var context = ContextAssembler.Assemble(hour, ProfileFeatures.ToDictionary(profile.Values), recent, bandit.Weights,
            maxItemLength: generation.Value.MaxDataItemLength);

        registry.TryGet(version, out var template);
        var tip = await writer.WriteAsync(template, context, userId, http.HttpContext.RequestAborted);
        if (tip.InputTokens + tip.OutputTokens > 0)
        {
            store.AppendUsage(new UsageRecord(version, tip.Provider, tip.Model, tip.InputTokens, tip.OutputTokens,
                llm.Value.CostOf(tip.Model, tip.InputTokens, tip.OutputTokens), time.GetUtcNow().ToUnixTimeMilliseconds()));
        }
        var write = await catalog.UpsertAsync(
            $"gen-{Guid.CreateVersion7():N}", tip.Text, tip.Category, [], source: TipSources.Generated, promptVersion: version);
        if (TipsApi.Refused(write, limits.Value) is { } refused) return refused;
        var stored = write.Tip!;
        return TypedResults.Ok(new GenerateResponse(stored.TipId, stored.Text, stored.Category, version, tip.Provider, tip.Model));
    }
}
