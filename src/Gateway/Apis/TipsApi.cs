using System.Text.RegularExpressions;
using Actors.Abstractions;
using Actors.Gateway.Json;
using Actors.Grains.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Actors.Gateway.Apis;

public static partial class TipsApi
{
    public const int MaxTextLength = 2000;

    public static IEndpointRouteBuilder MapTipsApi(this IEndpointRouteBuilder app)
    {
        var tips = app.MapGroup("/tips").WithTags("Catalog");
        tips.MapGet("/", ListTips).WithName("ListTips").WithSummary("The tip catalog.");
        tips.MapPut("/{tip_id}", PutTipAsync)
            .WithName("PutTip")
            .WithSummary("Add or replace a catalog tip.")
            .Accepts<TipRequest>("application/json");
        return app;
    }

    public static Ok<List<TipResponse>> ListTips(ITipCatalog catalog) =>
        TypedResults.Ok(catalog.List().Select(ToResponse).ToList());

    public static async Task<Results<Created<TipResponse>, Ok<TipResponse>, ValidationProblem>> PutTipAsync(
        string tip_id, HttpRequest http, ITipCatalog catalog, IOptions<GatewayOptions> options)
    {
        var (request, problem) = await RequestBody.ReadAsync(http, WireJsonContext.Default.TipRequest, options.Value.MaxRequestBodyBytes);
        if (problem is not null) return problem;

        var validation = new Validation();
        validation.Id("tip_id", tip_id);
        if (string.IsNullOrWhiteSpace(request!.Text)) validation.Add("text", "text is required.");
        else if (request.Text.Length > MaxTextLength) validation.Add("text", $"text must be at most {MaxTextLength} characters.");
        ValidCategory("category", request.Category, validation);
        foreach (var (name, value) in request.Features ?? []) validation.Finite($"features.{name}", value);
        if (!validation.IsValid) return validation.ToProblem();

        var (tip, created) = await catalog.UpsertAsync(tip_id, request.Text!, request.Category!, request.Features ?? [], source: "api");
        var response = ToResponse(tip);
        return created ? TypedResults.Created($"/tips/{Uri.EscapeDataString(tip_id)}", response) : TypedResults.Ok(response);
    }

    /// <summary>Categories name feature dimensions of every user's model, so they are kept to a tidy slug.</summary>
    public static bool ValidCategory(string field, string? category, Validation validation)
    {
        if (category is null || !CategorySlug().IsMatch(category))
        {
            validation.Add(field, $"{field} must be 1 to 64 characters of a-z, 0-9, '_' or '-'.");
            return false;
        }
        return true;
    }

    private static TipResponse ToResponse(CatalogTip tip) =>
        new(tip.TipId, tip.Text, tip.Category, tip.Features, tip.Source, tip.PromptVersion, tip.CreatedAt, tip.UpdatedAt);

    [GeneratedRegex("^[a-z0-9_-]{1,64}$")]
    private static partial Regex CategorySlug();
}
