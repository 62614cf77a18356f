using Actors.Abstractions;
using Actors.Gateway.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.Gateway.Apis;

/// <summary>
/// POST /admin/migrations starts a run that migrates every stored user's bandit and profile snapshots to the
/// configured features in the background; GET /admin/migrations/{id} reads its progress. The run is a grain, so it
/// outlives the request and any gateway can read it.
/// </summary>
public static class MigrationsApi
{
    public static IEndpointRouteBuilder MapMigrationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/migrations").WithTags("Admin");
        group.MapPost("", StartMigrationAsync)
            .WithName("StartMigration")
            .WithSummary("Starts migrating every stored user's snapshots to the configured feature lists, in the background.");
        group.MapGet("/{id}", GetMigrationAsync)
            .WithName("GetMigration")
            .WithSummary("A migration run's state and counts.");
        return app;
    }

    public static async Task<Accepted<MigrationResponse>> StartMigrationAsync(IGrainFactory grains)
    {
        var id = $"mig-{Guid.NewGuid():N}";
        var status = await grains.GetGrain<IMigrationGrain>(id).StartAsync();
        return TypedResults.Accepted($"/admin/migrations/{id}", ToResponse(status));
    }

    public static async Task<Results<Ok<MigrationResponse>, ValidationProblem, ProblemHttpResult>> GetMigrationAsync(string id, IGrainFactory grains)
    {
        var validation = new Validation();
        if (!validation.Id("id", id)) return validation.ToProblem();
        return await grains.GetGrain<IMigrationGrain>(id).GetAsync() is { } status
            ? TypedResults.Ok(ToResponse(status))
            : Validation.Problem(StatusCodes.Status404NotFound, "id", $"id '{id}' names no migration run.");
    }

    private static MigrationResponse ToResponse(MigrationStatus s) => new(
        s.Id, s.State, s.Total, s.Done, s.Migrated, s.Unchanged, s.Failed, s.Errors,
        DateTimeOffset.FromUnixTimeMilliseconds(s.StartedAtMs),
        s.FinishedAtMs is { } finished ? DateTimeOffset.FromUnixTimeMilliseconds(finished) : null);
}
