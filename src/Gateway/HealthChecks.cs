using Actors.Abstractions;
using Actors.Silo;
using Actors.Silo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Actors.Gateway;

/// <summary>Ready when the silo answers a grain call and both databases answer a query.</summary>
public sealed class ReadinessCheck(IGrainFactory grains, IOptions<StorageOptions> storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<IPingGrain>("health").PingAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            foreach (var path in new[] { storage.Value.EventDatabasePath, storage.Value.GrainDatabasePath })
            {
                await using var connection = new SqliteConnection(SqlResources.ConnectionString(path));
                await connection.OpenAsync(cancellationToken);
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT 1";
                await command.ExecuteScalarAsync(cancellationToken);
            }
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("The silo or a database does not answer.", ex);
        }
    }
}
