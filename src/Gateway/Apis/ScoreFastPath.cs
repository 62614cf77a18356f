using System.Buffers;
using System.Text;
using System.Text.Json;
using Actors.Abstractions;
using Actors.Grains.Options;
using Actors.Grains.Services;
using Actors.Learning.Profile;

namespace Actors.Gateway.Apis;

/// <summary>
/// The common /score request — a user id, catalog ids, perhaps an hour — read straight from the UTF-8
/// body, and the answer written straight to the response. The profile of /score showed the general
/// path (an object per candidate in, an object per ranked tip out, through System.Text.Json's object
/// converters) costing more than the grain call and the scoring together. Anything this reader is not
/// certain of (escapes, inline tips, profile_features, any error) makes it give up, and the general
/// path reads the same body and gives the precise answer, so both accept exactly the same requests.
/// </summary>
public static class ScoreFastPath
{
    private static readonly byte[] UserIdName = "user_id"u8.ToArray();
    private static readonly byte[] CandidatesName = "candidates"u8.ToArray();
    private static readonly byte[] ContextName = "context"u8.ToArray();
    private static readonly byte[] HourName = "hour"u8.ToArray();

    private static readonly JsonEncodedText RequestIdProperty = JsonEncodedText.Encode("request_id");
    private static readonly JsonEncodedText UserIdProperty = JsonEncodedText.Encode("user_id");
    private static readonly JsonEncodedText PolicyProperty = JsonEncodedText.Encode("policy");
    private static readonly JsonEncodedText ExperimentProperty = JsonEncodedText.Encode("experiment");
    private static readonly JsonEncodedText VariantProperty = JsonEncodedText.Encode("variant");
    private static readonly JsonEncodedText ChosenProperty = JsonEncodedText.Encode("chosen_tip_id");
    private static readonly JsonEncodedText RankedProperty = JsonEncodedText.Encode("ranked");
    private static readonly JsonEncodedText TipIdProperty = JsonEncodedText.Encode("tip_id");
    private static readonly JsonEncodedText ScoreProperty = JsonEncodedText.Encode("score");
    private static readonly JsonEncodedText ProbabilityProperty = JsonEncodedText.Encode("probability");
    private static readonly JsonEncodedText ProfileProperty = JsonEncodedText.Encode("profile_features");
    private static readonly JsonEncodedText[] FeatureProperties =
        ProfileFeatureRegistry.All.Select(f => JsonEncodedText.Encode(f.Name)).ToArray();

    /// <summary>A request the fast path accepted: everything the general path would have produced from it.</summary>
    public sealed record Accepted(string UserId, TipCandidate[] Candidates, int? Hour);

    /// <summary>Reads a plain request; null when the general path must look at it.</summary>
    public static Accepted? TryRead(ReadOnlySequence<byte> body, ITipCatalog catalog, int maxCandidates, LimitsOptions limits)
    {
        try
        {
            return Read(body, catalog, maxCandidates, limits.MaxIdLength);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string the reader cannot turn into UTF-16 (an unpaired surrogate escape).
            return null;
        }
    }

    private static Accepted? Read(ReadOnlySequence<byte> body, ITipCatalog catalog, int maxCandidates, int maxIdLength)
    {
        var json = new Utf8JsonReader(body);
        if (!json.Read() || json.TokenType != JsonTokenType.StartObject) return null;

        string? userId = null;
        List<TipCandidate>? candidates = null;
        int? hour = null;
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            if (json.ValueIsEscaped) return null;
            if (json.ValueTextEquals(UserIdName))
            {
                if (userId is not null || !json.Read() || json.TokenType != JsonTokenType.String) return null;
                userId = json.GetString();
                if (!IsValidId(userId, maxIdLength) || !InputText.IsPathSafe(userId)) return null;
            }
            else if (json.ValueTextEquals(CandidatesName))
            {
                if (candidates is not null || !json.Read() || json.TokenType != JsonTokenType.StartArray) return null;
                candidates = new List<TipCandidate>(64);
                while (json.Read() && json.TokenType == JsonTokenType.String)
                {
                    if (json.ValueIsEscaped || candidates.Count == maxCandidates) return null;
                    var tip = Lookup(ref json, catalog, maxIdLength);
                    if (tip is null || Contains(candidates, tip)) return null;
                    candidates.Add(tip);
                }
                if (json.TokenType != JsonTokenType.EndArray || candidates.Count == 0) return null;
            }
            else if (json.ValueTextEquals(ContextName))
            {
                if (hour is not null || !json.Read() || json.TokenType != JsonTokenType.StartObject) return null;
                if (!json.Read() || json.TokenType != JsonTokenType.PropertyName || json.ValueIsEscaped || !json.ValueTextEquals(HourName)) return null;
                if (!json.Read() || json.TokenType != JsonTokenType.Number || !json.TryGetInt32(out var h) || h is < 0 or > 23) return null;
                if (!json.Read() || json.TokenType != JsonTokenType.EndObject) return null;
                hour = h;
            }
            else
            {
                return null;
            }
        }
        if (json.TokenType != JsonTokenType.EndObject || json.Read()) return null;
        return userId is null || candidates is null ? null : new Accepted(userId, candidates.ToArray(), hour);
    }

    /// <summary>The catalog candidate named by the current string token, or null.</summary>
    private static TipCandidate? Lookup(ref Utf8JsonReader json, ITipCatalog catalog, int maxIdLength)
    {
        var utf8 = json.HasValueSequence ? json.ValueSequence.ToArray() : json.ValueSpan;
        if (utf8.Length > maxIdLength * 3) return null;
        Span<char> id = stackalloc char[utf8.Length];
        var length = Encoding.UTF8.GetChars(utf8, id);
        id = id[..length];
        if (!IsValidId(id, maxIdLength)) return null;
        return catalog.TryGet(id, out var tip) ? tip.AsCandidate : null;
    }

    /// <summary>Catalog candidates are one object per tip, so a repeat is the same reference.</summary>
    private static bool Contains(List<TipCandidate> candidates, TipCandidate tip)
    {
        foreach (var existing in candidates)
        {
            if (ReferenceEquals(existing, tip)) return true;
        }
        return false;
    }

    /// <summary>The same rule as <see cref="Validation.Id"/>: 1 to Limits:MaxIdLength characters, not blank, <see cref="InputText.IsClean"/>.</summary>
    private static bool IsValidId(ReadOnlySpan<char> id, int maxIdLength) =>
        !id.IsEmpty && id.Length <= maxIdLength && !id.IsWhiteSpace() && InputText.IsClean(id);

    /// <summary>Writes the /score answer, shaped as <see cref="Json.ScoreResponse"/> (the type OpenAPI describes).</summary>
    public static async Task WriteAsync(HttpResponse response, string userId, ScoreResult result)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString(RequestIdProperty, result.RequestId);
            json.WriteString(UserIdProperty, userId);
            json.WriteString(PolicyProperty, result.Policy);
            json.WriteString(ExperimentProperty, result.Experiment);
            json.WriteString(VariantProperty, result.Variant);
            json.WriteString(ChosenProperty, result.Ranked[0].TipId);
            json.WriteStartArray(RankedProperty);
            foreach (var tip in result.Ranked)
            {
                json.WriteStartObject();
                json.WriteString(TipIdProperty, tip.TipId);
                json.WriteNumber(ScoreProperty, tip.Score);
                json.WriteNumber(ProbabilityProperty, tip.Probability);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartObject(ProfileProperty);
            for (var i = 0; i < FeatureProperties.Length; i++) json.WriteNumber(FeatureProperties[i], result.ProfileFeatures[i]);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        await response.BodyWriter.FlushAsync(response.HttpContext.RequestAborted);
    }
}
