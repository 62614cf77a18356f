using System.ClientModel;
using System.ClientModel.Primitives;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;

namespace Actors.Generation;

/// <summary>
/// Section "Llm": an OpenAI-compatible chat-completions endpoint (OpenAI, a LiteLLM proxy, vLLM, Ollama).
/// OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL override the keys; with no base URL and no key the
/// offline generator writes the tips.
/// </summary>
public sealed class LlmOptions
{
    public const string Section = "Llm";

    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public string Model { get; set; } = "gpt-4o-mini";

    /// <summary>Per attempt; the whole call, retries included, is bounded by three times this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [Range(1, 4096)]
    public int MaxOutputTokens { get; set; } = 120;

    /// <summary>Longest tip accepted from the model (after normalisation); longer output falls back.</summary>
    [Range(20, 2000)]
    public int MaxTipLength { get; set; } = 280;

    /// <summary>Prices by model name, in currency units per million tokens; a model without one has no cost recorded.</summary>
    public Dictionary<string, ModelPrice> Prices { get; set; } = [];

    public bool Configured => !string.IsNullOrWhiteSpace(BaseUrl) || !string.IsNullOrWhiteSpace(ApiKey);

    /// <summary>What a call cost, when the model has a price.</summary>
    public double? CostOf(string model, int inputTokens, int outputTokens) =>
        Prices.TryGetValue(model, out var price)
            ? (inputTokens * price.InputPerMillion + outputTokens * price.OutputPerMillion) / 1_000_000
            : null;
}

public sealed class ModelPrice
{
    public double InputPerMillion { get; set; }

    public double OutputPerMillion { get; set; }
}

/// <summary>A tip as written, with who wrote it and what it cost.</summary>
public sealed record WrittenTip(string Text, string Category, string Provider, string Model, int InputTokens, int OutputTokens);

/// <summary>
/// Writes a tip through the official OpenAI client, over an HttpClient whose resilience pipeline (timeout,
/// retries with backoff on 429 and 5xx, circuit breaker) comes from Microsoft.Extensions.Http.Resilience.
/// The client's own retries are off, so the pipeline is the only policy. The request has two messages:
/// the rendered template as the system message (instructions, figures only) and the user's data as a
/// JSON document in a user message of its own. Whatever goes wrong — the pipeline gives up, the circuit is
/// open, or <see cref="TipGuard"/> rejects the answer (counted per reason in <see cref="GenerationMetrics"/>)
/// — the offline generator writes the tip instead and the answer says so in Provider.
/// </summary>
public sealed class TipWriter(HttpClient http, IOptions<LlmOptions> llmOptions, GenerationMetrics metrics, ILogger<TipWriter> logger)
{
    private readonly LlmOptions options = llmOptions.Value;

    public const string OpenAiProvider = "openai";
    public const string FallbackProvider = "offline-fallback";

    private ChatClient? _chat => _chatClient ??= CreateClient();
    private ChatClient? _chatClient;

    private ChatClient? CreateClient() => options.Configured
        ? new ChatClient(
            options.Model,
            new ApiKeyCredential(string.IsNullOrWhiteSpace(options.ApiKey) ? "none" : options.ApiKey),
            new OpenAIClientOptions
            {
                Endpoint = string.IsNullOrWhiteSpace(options.BaseUrl) ? null : new Uri(options.BaseUrl),
                Transport = new HttpClientPipelineTransport(http),
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                NetworkTimeout = Timeout.InfiniteTimeSpan,
            })
        : null;

    public async Task<WrittenTip> WriteAsync(PromptTemplate template, PromptContext context, string userId, CancellationToken cancellationToken)
    {
        if (_chat is null) return Offline(template, context, userId, OfflineTipGenerator.Provider);
        try
        {
            var completion = (await _chat.CompleteChatAsync(
                [new SystemChatMessage(template.Render(context)), new UserChatMessage(context.DataJson())],
                new ChatCompletionOptions { MaxOutputTokenCount = options.MaxOutputTokens },
                cancellationToken)).Value;
            var verdict = TipGuard.Check(completion.Content.Count > 0 ? completion.Content[0].Text : null, options.MaxTipLength);
            if (verdict.Accepted)
            {
                return new WrittenTip(verdict.Text!, OfflineTipGenerator.CategoryFor(context), OpenAiProvider, options.Model,
                    completion.Usage?.InputTokenCount ?? 0, completion.Usage?.OutputTokenCount ?? 0);
            }
            metrics.Rejected(template.Version, verdict.Rejection!);
            logger.LogWarning("The model's answer for prompt {Version} is not fit to show ({Reason}); falling back.", template.Version, verdict.Rejection);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "The LLM call for prompt {Version} failed; falling back to the offline generator.", template.Version);
        }
        return Offline(template, context, userId, FallbackProvider);
    }

    private static WrittenTip Offline(PromptTemplate template, PromptContext context, string userId, string provider)
    {
        var tip = OfflineTipGenerator.Generate(context, template.Version, userId);
        return new WrittenTip(tip.Text, tip.Category, provider, OfflineTipGenerator.Model, 0, 0);
    }
}
