using Actors.Grains;
using Actors.Grains.Evaluation;
using Actors.Grains.Options;
using Actors.Grains.Policies;
using Actors.Grains.Prior;
using Actors.Grains.Services;
using Actors.Grains.Staleness;
using Actors.Silo.Catalog;
using Actors.Silo.EventStore;
using Actors.Silo.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;

namespace Actors.Silo;

public static class ActorsSilo
{
    /// <summary>
    /// Configures a silo for the embedded default: localhost clustering, grain snapshots in SQLite through
    /// the ADO.NET provider, the SQLite event store and catalog, options from configuration, the dashboard.
    /// </summary>
    public static ISiloBuilder AddActors(this ISiloBuilder silo, IConfiguration configuration)
    {
        var storage = BindStorage(configuration);
        var orleans = configuration.GetSection(OrleansOptions.Section).Get<OrleansOptions>() ?? new OrleansOptions();

        silo.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort, serviceId: orleans.ServiceId, clusterId: orleans.ClusterId);
        // Orleans 10.4.2's watchdog sometimes warns at start that a participant "has not completed for" a span equal
        // to the machine's uptime: a false alarm (no silo has run that long). Its warnings are silenced; errors pass.
        silo.Services.AddLogging(logging => logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error));
        silo.AddSqliteGrainStorage(Grains.StorageNames.Grains, storage.GrainDatabasePath);
        if (orleans.Dashboard) silo.AddDashboard();
        silo.Services.AddActorsServices(configuration);
        return silo;
    }

    /// <summary>The services grains depend on, with options bound to their sections and validated at start.</summary>
    public static IServiceCollection AddActorsServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddTimeProvider();
        services.AddValidatedOptions<StorageOptions>(configuration, StorageOptions.Section)
            .PostConfigure(o => o.DataDirectory = configuration[StorageOptions.DataDirectoryVariable] is { Length: > 0 } dir ? dir : o.DataDirectory);
        services.AddValidatedOptions<OrleansOptions>(configuration, OrleansOptions.Section);
        services.AddValidatedOptions<ProfileOptions>(configuration, ProfileOptions.Section);
        services.AddProfileStaleness(configuration);
        services.AddValidatedOptions<MigrationOptions>(configuration, MigrationOptions.Section);
        services.AddValidatedOptions<BanditOptions>(configuration, BanditOptions.Section);
        services.AddSingleton<IValidateOptions<BanditOptions>, BanditOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<BanditOptions>>().Value.ToFeatureSet());
        services.AddSingleton<PriorCache>();
        services.AddValidatedOptions<RewardOptions>(configuration, RewardOptions.Section);
        services.AddValidatedOptions<SnapshotOptions>(configuration, SnapshotOptions.Section);
        services.AddValidatedOptions<EventStoreOptions>(configuration, EventStoreOptions.Section);
        services.AddValidatedOptions<PolicyOptions>(configuration, PolicyOptions.Section)
            .PostConfigure(o => o.AddDefaultWhenEmpty());
        services.AddValidatedOptions<ExperimentOptions>(configuration, ExperimentOptions.Section);
        services.AddSingleton<IValidateOptions<PolicyOptions>, PolicyOptionsValidator>();
        services.AddSingleton<IValidateOptions<ExperimentOptions>, ExperimentOptionsValidator>();
        services.AddSingleton<PolicyCatalog>();
        services.AddSingleton<ExperimentPlan>();
        services.AddSingleton<PolicyRollout>();
        services.AddValidatedOptions<EvaluationOptions>(configuration, EvaluationOptions.Section);
        services.AddValidatedOptions<LimitsOptions>(configuration, LimitsOptions.Section);
        services.AddSingleton<OfflineEvaluator>();

        services.AddSingleton<ITipCatalog>(sp => new SqliteTipCatalog(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.EventDatabasePath,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<LimitsOptions>>().Value));
        services.AddSingleton<SqliteEventStore>(sp => new SqliteEventStore(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value.EventDatabasePath,
            sp.GetRequiredService<IOptions<EventStoreOptions>>().Value,
            sp.GetRequiredService<ITipCatalog>(),
            sp.GetRequiredService<ILogger<SqliteEventStore>>()));
        services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<SqliteEventStore>());
        services.AddSingleton<IGrainStateScrubber>(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new SqliteGrainStateScrubber(storage.GrainDatabasePath, storage.VacuumGrainsOnErase, sp.GetRequiredService<ILogger<SqliteGrainStateScrubber>>());
        });
        return services;
    }

    /// <summary>Storage options as the silo builder needs them, before the container exists.</summary>
    public static StorageOptions BindStorage(IConfiguration configuration)
    {
        var storage = configuration.GetSection(StorageOptions.Section).Get<StorageOptions>() ?? new StorageOptions();
        if (configuration[StorageOptions.DataDirectoryVariable] is { Length: > 0 } dir) storage.DataDirectory = dir;
        return storage;
    }

    /// <summary>Per-silo tracking of profile feature ages, read cluster-wide through a grain service; alerts checked in the background.</summary>
    private static void AddProfileStaleness(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<StalenessOptions>(configuration, StalenessOptions.Section);
        services.AddSingleton<ProfileStalenessTracker>();
        services.AddGrainService<StalenessService>();
        services.AddSingleton<IStalenessServiceClient, StalenessServiceClient>();
        services.AddSingleton<StalenessMonitor>();
        services.AddHostedService<StalenessWatch>();
    }

    private static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class =>
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateDataAnnotations().ValidateOnStart();

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(TimeProvider))) services.AddSingleton(TimeProvider.System);
        services.TryAddKeyedSingleton<TimeProvider>(GrainClock.Key, (sp, _) => sp.GetRequiredService<TimeProvider>());
    }
}
