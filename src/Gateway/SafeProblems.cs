using System.Diagnostics;

namespace Actors.Gateway;

/// <summary>
/// What every answer carries and what no answer leaks: X-Content-Type-Options on each response, and problem
/// details that never name the service's types, exceptions or stack (in Development as in Production).
/// </summary>
public static class SafeProblems
{
    /// <summary>
    /// Adds X-Content-Type-Options: nosniff when the response starts. Registered as the response starts rather
    /// than set now, because the exception handler clears the headers of a failed response before writing its own.
    /// </summary>
    public static Task NoSniff(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(static state =>
        {
            ((HttpResponse)state).Headers.XContentTypeOptions = "nosniff";
            return Task.CompletedTask;
        }, context.Response);
        return next(context);
    }

    /// <summary>
    /// An unhandled exception's problem keeps its status, a generic title and the trace id, and nothing else: the
    /// exception's type, message and stack say how the service is built, not what the caller should change.
    /// </summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (context.Exception is null && problem.Status is not >= 500) return;
        problem.Title = "An unexpected error occurred.";
        problem.Detail = "The service could not answer this request; the trace id identifies it in the service's logs.";
        problem.Type = null;
        problem.Extensions.Clear();
        problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
    }
}
