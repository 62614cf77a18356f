using Actors.Gateway.Apis;
using Actors.Gateway.Json;
using Actors.Generation;
using Actors.Grains.Services;
using Microsoft.Extensions.Options;
using Actors.Silo;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Orleans.Dashboard;
using System.Text.Json;

namespace Actors.Gateway;

/// <summary>Builds the whole embedded service: co-hosted silo, HTTP API, dashboard, OpenAPI, health.</summary>
public static class ActorsGateway
{
    /// <summary>The one configuration file; ACTORS_CONFIG may name another.</summary>
    public const string ConfigFileName = "orleans.config.json";

    /// <summary>How many times the body limit Kestrel lets through, so oversized bodies still get a readable 400.</summary>
    private const int DrainLimit = 16;

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        AddConfiguration(builder, args);
        configure?.Invoke(builder);

        builder.UseOrleans(silo => silo.AddActors(builder.Configuration));

        var gateway = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        // Kestrel cuts the connection past its limit; below it, an oversized body is drained and answered with a 400.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = DrainLimit * gateway.MaxRequestBodyBytes;
            // The Server header tells a scanner which server and version to aim at, and a client nothing it needs.
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddOptions<GatewayOptions>()
            .Bind(builder.Configuration.GetSection(GatewayOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, WireJsonContext.Default);
        });
        builder.Services.AddSingleton<UserGrains>();
        builder.Services.AddOptions<GenerationOptions>()
            .Bind(builder.Configuration.GetSection(GenerationOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddTipWriter(builder.Configuration);
        builder.Services.AddSingleton(sp => PromptRegistry.Load(sp.GetRequiredService<IOptions<GenerationOptions>>().Value.PromptsDirectory));
        builder.Services.AddSingleton(sp => new PromptSelection(
            sp.GetRequiredService<PromptRegistry>(),
            builder.Configuration[GenerationOptions.TipPromptVersionVariable],
            builder.Configuration[GenerationOptions.DefaultPromptVersionVariable]));
        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = SafeProblems.Customize);
        builder.Services.AddOpenApi();
        builder.Services.AddHealthChecks().AddCheck<ReadinessCheck>("silo-and-storage", tags: ["ready"]);

        var app = builder.Build();
        // Open the databases now, so the schema and the seed catalog exist, and a bad path fails, at start.
        app.Services.GetRequiredService<IEventStore>();
        // Likewise the prompts: a template with an unknown placeholder or an unknown version in the
        // environment stops the start with a message, rather than failing the first /generate.
        app.Services.GetRequiredService<PromptSelection>();
        // First, so that every answer carries the header: errors, 404s, the dashboard and the OpenAPI document too.
        app.Use(SafeProblems.NoSniff);
        app.UseExceptionHandler();
        app.UseStatusCodePages(UnsupportedMediaType.WriteProblemAsync);

        app.MapScoringApi();
        app.MapFeedbackApi();
        app.MapProfileApi();
        app.MapTipsApi();
        app.MapGenerationApi();
        app.MapAnalyticsApi();
        app.MapPoliciesApi();
        app.MapExperimentsApi();
        app.MapEvaluationApi();
        app.MapPriorApi();
        if (gateway.BenchEndpoints) app.MapBenchApi();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapOpenApi();
        if (builder.Configuration.GetValue("Orleans:Dashboard", true)) app.MapOrleansDashboard(routePrefix: "/dashboard");
        return app;
    }

    /// <summary>
    /// orleans.config.json sits under environment variables and the command line, so any key can be
    /// overridden the usual .NET way (Section__Key=value, --Section:Key=value).
    /// </summary>
    private static void AddConfiguration(WebApplicationBuilder builder, string[] args)
    {
        var path = Environment.GetEnvironmentVariable("ACTORS_CONFIG") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(AppContext.BaseDirectory, ConfigFileName);
        builder.Configuration.AddJsonFile(path, optional: false, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
    }
}
