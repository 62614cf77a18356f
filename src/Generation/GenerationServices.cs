using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;

namespace Actors.Generation;

public static class GenerationServices
{
    /// <summary>
    /// Registers the tip writer: LlmOptions from the "Llm" section with OPENAI_BASE_URL, OPENAI_API_KEY and
    /// OPENAI_MODEL on top, and a typed HttpClient behind the standard resilience handler — per-attempt
    /// timeout, up to two retries with exponential backoff on 429, 408 and 5xx, a circuit breaker, and an
    /// overall timeout.
    /// </summary>
    public static IServiceCollection AddTipWriter(this IServiceCollection services, IConfiguration configuration)
    {
        if (!PlainText.CanNormalise)
        {
            throw new InvalidOperationException(
                "Tip generation needs Unicode normalisation, which globalization-invariant mode does not do beyond ASCII: " +
                "build the host with <InvariantGlobalization>false</InvariantGlobalization> (the OS's ICU is used).");
        }
        services.AddOptions<LlmOptions>()
            .Bind(configuration.GetSection(LlmOptions.Section))
            .PostConfigure(o =>
            {
                o.BaseUrl = configuration["OPENAI_BASE_URL"] is { Length: > 0 } url ? url : o.BaseUrl;
                o.ApiKey = configuration["OPENAI_API_KEY"] is { Length: > 0 } key ? key : o.ApiKey;
                o.Model = configuration["OPENAI_MODEL"] is { Length: > 0 } model ? model : o.Model;
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GenerationMetrics>();

        var attempt = configuration.GetSection(LlmOptions.Section).Get<LlmOptions>()?.AttemptTimeout ?? new LlmOptions().AttemptTimeout;
        services.AddHttpClient<TipWriter>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .AddStandardResilienceHandler(resilience =>
            {
                resilience.AttemptTimeout.Timeout = attempt;
                resilience.Retry.MaxRetryAttempts = 2;
                resilience.Retry.Delay = TimeSpan.FromMilliseconds(200);
                resilience.TotalRequestTimeout.Timeout = attempt * 3 + TimeSpan.FromSeconds(1);
                // Tuned for the trickle of /generate calls, not for the library's high-traffic defaults
                // (100 calls before it may open): ten attempts, half failing, open it for 15 s.
                resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, attempt.Ticks * 2));
                resilience.CircuitBreaker.MinimumThroughput = 10;
                resilience.CircuitBreaker.FailureRatio = 0.5;
                resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(15);
            });
        return services;
    }
}
