using Microsoft.AspNetCore.Diagnostics;

namespace Actors.Gateway;

/// <summary>
/// Routing answers a POST or PUT whose Content-Type is not JSON with a bare 415 before any handler runs;
/// this gives it the same ProblemDetails shape as every other rejected request, naming the header.
/// Other bodiless error statuses get the standard ProblemDetails.
/// </summary>
public static class UnsupportedMediaType
{
    public static async Task WriteProblemAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        if (http.Response.StatusCode != StatusCodes.Status415UnsupportedMediaType)
        {
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext { HttpContext = http });
            return;
        }
        var problem = new HttpValidationProblemDetails(new Dictionary<string, string[]>
        {
            ["content-type"] = [$"Content-Type must be application/json; got '{http.Request.ContentType ?? "none"}'."],
        })
        {
            Status = StatusCodes.Status415UnsupportedMediaType,
            Title = "Unsupported media type.",
        };
        await TypedResults.Problem(problem).ExecuteAsync(http);
    }
}
