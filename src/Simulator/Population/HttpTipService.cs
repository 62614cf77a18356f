using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Actors.Simulator.Population;

/// <summary>A running service driven through its public HTTP API: GET /tips, POST /score, POST /feedback.</summary>
public sealed class HttpTipService : ITipService
{
    /// <summary>The gateway's default Gateway:MaxFeedbackBatch.</summary>
    public const int FeedbackBatch = 1000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _client;
    private readonly int _concurrency;

    public HttpTipService(Uri baseAddress, int concurrency)
    {
        // A base with a path (a service behind a prefix) keeps it only with a trailing slash.
        var withSlash = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        _client = new HttpClient { BaseAddress = withSlash, Timeout = TimeSpan.FromSeconds(100) };
        _concurrency = concurrency;
    }

    public string Mode => "http";

    /// <summary>The whole catalog: GET /tips a page at a time, following next_after until it is null.</summary>
    public async Task<IReadOnlyList<CatalogEntry>> CatalogAsync(CancellationToken cancellationToken)
    {
        var entries = new List<CatalogEntry>();
        string? after = null;
        do
        {
            var path = after is null ? "tips?limit=1000" : $"tips?limit=1000&after={Uri.EscapeDataString(after)}";
            using var response = await _client.GetAsync(path, cancellationToken);
            var page = await ReadAsync<TipPage>(response, cancellationToken);
            entries.AddRange(page.Tips.Select(t => new CatalogEntry(t.TipId, t.Category)));
            after = page.NextAfter;
        }
        while (after is not null);
        return entries;
    }

    public async Task<ServedTip> ScoreAsync(
        string userId, IReadOnlyList<string> candidateIds, int hour, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var response = await _client.PostAsJsonAsync("score", new ScoreBody(userId, candidateIds, new ScoreContext(hour)), Json, cancellationToken);
        var answer = await ReadAsync<ScoreAnswer>(response, cancellationToken);
        return new ServedTip(answer.RequestId, answer.Policy, answer.ChosenTipId);
    }

    /// <summary>The round's events in arrays of at most <see cref="FeedbackBatch"/>, as an app that buffers them would send.</summary>
    public Task SendAsync(IReadOnlyList<Reaction> reactions, CancellationToken cancellationToken) =>
        Parallel.ForEachAsync(reactions.SelectMany(ToEvents).Chunk(FeedbackBatch),
            new ParallelOptions { MaxDegreeOfParallelism = _concurrency, CancellationToken = cancellationToken },
            async (batch, token) =>
            {
                using var response = await _client.PostAsJsonAsync("feedback", batch, Json, token);
                await ReadAsync<JsonElement>(response, token);
            });

    private static IEnumerable<FeedbackBody> ToEvents(Reaction reaction)
    {
        var at = reaction.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        yield return new FeedbackBody(reaction.ViewEventId, reaction.UserId, reaction.TipId, "view", reaction.RequestId, Reaction.DwellMs, at);
        yield return new FeedbackBody(reaction.ReactionEventId, reaction.UserId, reaction.TipId,
            reaction.Completed ? "complete" : "dismiss", reaction.RequestId, null, at);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var problem = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {problem}",
                null, response.StatusCode);
        }
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
            ?? throw new HttpRequestException($"{response.RequestMessage?.RequestUri} answered an empty body.");
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed record TipPage(List<TipListing> Tips, string? NextAfter);

    private sealed record TipListing(string TipId, string Category);

    private sealed record ScoreBody(string UserId, IReadOnlyList<string> Candidates, ScoreContext Context);

    private sealed record ScoreContext(int Hour);

    private sealed record ScoreAnswer(string RequestId, string Policy, string ChosenTipId);

    private sealed record FeedbackBody(string EventId, string UserId, string TipId, string Kind, string RequestId, long? DwellMs, string At);
}
