using System.Globalization;
using Actors.Abstractions;
using Actors.Gateway.Json;
using Actors.Grains.Options;
using Actors.Grains.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Actors.Gateway.Apis;

public static class TipsApi
{
    /// <summary>Tips per page of GET /tips when the caller names no limit.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>The most tips one page of GET /tips holds.</summary>
    public const int MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapTipsApi(this IEndpointRouteBuilder app)
    {
        var tips = app.MapGroup("/tips").WithTags("Catalog");
        tips.MapGet("/", ListTips)
            .WithName("ListTips")
            .WithSummary($"The tip catalog in tip id order, a page at a time: limit (default {DefaultPageSize}, at most {MaxPageSize}); pass next_after as after for the next page.");
        tips.MapPut("/{tip_id}", PutTipAsync)
            .WithName("PutTip")
            .WithSummary("Add a catalog tip, or replace one added through this API (seed and generated tips cannot be replaced: 409).")
            .Accepts<TipRequest>("application/json");
        return app;
    }

    /// <summary>
    /// One page of the catalog, in tip id order, after the tip id <paramref name="after"/> (exclusive). The
    /// cursor is a tip id, so a page stays correct while tips are added: a new tip shows up on a later page if its
    /// id sorts after the cursor, else on no page of this walk.
    /// </summary>
    public static Results<Ok<TipPageResponse>, ValidationProblem> ListTips(string? limit, string? after, ITipCatalog catalog)
    {
        var size = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize))
        {
            return Validation.Single("limit", $"limit must be a whole number from 1 to {MaxPageSize}; the default is {DefaultPageSize}.");
        }
        var tips = catalog.List();
        var start = 0;
        if (after is not null)
        {
            start = BinarySearch(tips, after);
            start = start >= 0 ? start + 1 : ~start;
        }
        var page = new List<TipResponse>(Math.Min(size, Math.Max(0, tips.Count - start)));
        for (var i = start; i < tips.Count && page.Count < size; i++) page.Add(ToResponse(tips[i]));
        var next = start + page.Count < tips.Count ? page[^1].TipId : null;
        return TypedResults.Ok(new TipPageResponse(page, next));
    }

    public static async Task<Results<Created<TipResponse>, Ok<TipResponse>, ValidationProblem, ProblemHttpResult>> PutTipAsync(
        string tip_id, HttpRequest http, ITipCatalog catalog, IOptions<GatewayOptions> options, IOptions<LimitsOptions> limits)
    {
        var (request, problem) = await RequestBody.ReadAsync(http, WireJsonContext.Default.TipRequest, options.Value.MaxRequestBodyBytes);
        if (problem is not null) return problem;

        var validation = new Validation(limits.Value);
        validation.Id("tip_id", tip_id);
        validation.Text("text", request!.Text, limits.Value.MaxTipTextLength, "Limits:MaxTipTextLength");
        validation.Slug("category", request.Category);
        validation.TipFeatures("features", request.Features);
        if (!validation.IsValid) return validation.ToProblem();

        var write = await catalog.UpsertAsync(tip_id, request.Text!, request.Category!, request.Features ?? [], source: TipSources.Api);
        if (Refused(write, limits.Value) is { } refused) return refused;
        var response = ToResponse(write.Tip!);
        return write.Outcome == CatalogWriteOutcome.Created
            ? TypedResults.Created($"/tips/{Uri.EscapeDataString(tip_id)}", response)
            : TypedResults.Ok(response);
    }

    /// <summary>The 409 for a catalog write that was refused, naming the field and the limit; null when it was written.</summary>
    public static ProblemHttpResult? Refused(CatalogWrite write, LimitsOptions limits) => write.Outcome switch
    {
        CatalogWriteOutcome.Protected => Validation.Problem(StatusCodes.Status409Conflict, "tip_id",
            $"tip_id '{write.Tip!.TipId}' is a {write.Tip.Source} tip; only tips added through PUT /tips can be replaced."),
        CatalogWriteOutcome.CatalogFull => Validation.Problem(StatusCodes.Status409Conflict, "tip_id",
            $"The catalog holds its limit of {limits.MaxCatalogTips} tips (Limits:MaxCatalogTips); replace an existing tip instead."),
        CatalogWriteOutcome.TooManyCategories => Validation.Problem(StatusCodes.Status409Conflict, "category",
            $"The catalog holds its limit of {limits.MaxCategories} categories (Limits:MaxCategories); use an existing category."),
        _ => null,
    };

    /// <summary>Index of the tip, or the complement of where it would go. By hand: IReadOnlyList has no BinarySearch.</summary>
    private static int BinarySearch(IReadOnlyList<CatalogTip> tips, string tipId)
    {
        int low = 0, high = tips.Count - 1;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            var order = string.CompareOrdinal(tips[middle].TipId, tipId);
            if (order == 0) return middle;
            if (order < 0) low = middle + 1;
            else high = middle - 1;
        }
        return ~low;
    }

    private static TipResponse ToResponse(CatalogTip tip) =>
        new(tip.TipId, tip.Text, tip.Category, tip.Features, tip.Source, tip.PromptVersion, tip.CreatedAt, tip.UpdatedAt);
}
