using System.Buffers;
using System.Text;
using System.Text.Json;
using Actors.Abstractions;
using Actors.Grains.Services;
using Actors.Learning.Profile;

namespace Actors.Silo.EventStore;

/// <summary>
/// The JSON columns of the decision log. Catalog candidates are stored by id only (the catalog holds
/// the rest) to keep a 50-candidate decision near 2 KB; inline candidates carry category and features.
/// </summary>
internal static class DecisionJson
{
    public static string WriteCandidates(DecisionRecord decision)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * decision.Candidates.Length);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            for (var i = 0; i < decision.Candidates.Length; i++)
            {
                var candidate = decision.Candidates[i];
                json.WriteStartObject();
                json.WriteString("tip_id", candidate.TipId);
                json.WriteNumber("probability", decision.Probabilities[i]);
                json.WriteNumber("score", decision.Scores[i]);
                if (!candidate.InCatalog)
                {
                    json.WriteString("category", candidate.Category);
                    json.WriteStartObject("features");
                    foreach (var (name, value) in candidate.Features ?? []) json.WriteNumber(name, value);
                    json.WriteEndObject();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The profile features used, by name, and the context.</summary>
    public static string WriteFeatures(DecisionRecord decision)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("profile");
            var features = ProfileFeatureRegistry.All;
            for (var i = 0; i < features.Count; i++) json.WriteNumber(features[i].Name, decision.ProfileFeatures[i]);
            json.WriteEndObject();
            json.WriteStartObject("context");
            json.WriteNumber("hour", decision.Hour);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static DecisionRecord Read(
        string requestId, string userId, string policy, int hour, string featuresJson, string candidatesJson,
        long createdAtMs, string? promptVersion, ITipCatalog catalog)
    {
        var profile = ProfileFeatureRegistry.Defaults();
        using (var features = JsonDocument.Parse(featuresJson))
        {
            foreach (var property in features.RootElement.GetProperty("profile").EnumerateObject())
            {
                var index = ProfileFeatureRegistry.IndexOf(property.Name);
                if (index >= 0) profile[index] = property.Value.GetDouble();
            }
        }

        var candidates = new List<TipCandidate>();
        var probabilities = new List<double>();
        var scores = new List<double>();
        using (var document = JsonDocument.Parse(candidatesJson))
        {
            foreach (var element in document.RootElement.EnumerateArray())
            {
                var tipId = element.GetProperty("tip_id").GetString()!;
                TipCandidate? candidate = null;
                if (element.TryGetProperty("category", out var category))
                {
                    var tipFeatures = new Dictionary<string, double>();
                    foreach (var f in element.GetProperty("features").EnumerateObject()) tipFeatures[f.Name] = f.Value.GetDouble();
                    candidate = new TipCandidate(tipId, category.GetString()!, tipFeatures, InCatalog: false);
                }
                else if (catalog.TryGet(tipId, out var tip))
                {
                    candidate = tip.AsCandidate;
                }
                // A catalog tip deleted since the decision can no longer be credited; skip it.
                if (candidate is null) continue;
                candidates.Add(candidate);
                probabilities.Add(element.GetProperty("probability").GetDouble());
                scores.Add(element.GetProperty("score").GetDouble());
            }
        }
        return new DecisionRecord(requestId, userId, policy, hour, profile, candidates.ToArray(),
            probabilities.ToArray(), scores.ToArray(), createdAtMs, promptVersion);
    }
}
