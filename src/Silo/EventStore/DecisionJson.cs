using System.Buffers;
using System.Text.Json;
using Actors.Abstractions;
using Actors.Grains.Services;
using Actors.Learning.Profile;

namespace Actors.Silo.EventStore;

/// <summary>
/// The JSON columns of the decision log. Catalog candidates are stored by id only (the catalog holds
/// the rest) to keep a 50-candidate decision under 1 KB; inline candidates carry category and features.
/// </summary>
internal static class DecisionJson
{
    /// <summary>
    /// {"tip_ids": [...], "probabilities": [...], "inline": {"tip id": {"category", "features"}}}: parallel arrays
    /// in serving order keep the row small; scores are not logged (the policy's probabilities are what
    /// off-policy evaluation needs).
    /// </summary>
    public static ReadOnlySpan<byte> WriteCandidates(DecisionRecord decision)
    {
        var buffer = new ArrayBufferWriter<byte>(24 * decision.Candidates.Length + 64);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("tip_ids");
            foreach (var candidate in decision.Candidates) json.WriteStringValue(candidate.TipId);
            json.WriteEndArray();
            json.WriteStartArray("probabilities");
            foreach (var probability in decision.Probabilities) json.WriteNumberValue(probability);
            json.WriteEndArray();
            var wroteInline = false;
            foreach (var candidate in decision.Candidates)
            {
                if (candidate.InCatalog) continue;
                if (!wroteInline) json.WriteStartObject("inline");
                wroteInline = true;
                json.WriteStartObject(candidate.TipId);
                json.WriteString("category", candidate.Category);
                json.WriteStartObject("features");
                foreach (var (name, value) in candidate.Features ?? []) json.WriteNumber(name, value);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            if (wroteInline) json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan;
    }

    /// <summary>[{"policy", "tip_id", "probability", "served_probability"}]: what each shadow would have done.</summary>
    public static ReadOnlySpan<byte> WriteShadows(ShadowDecision[] shadows)
    {
        var buffer = new ArrayBufferWriter<byte>(96 * shadows.Length);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var shadow in shadows)
            {
                json.WriteStartObject();
                json.WriteString("policy", shadow.Policy);
                json.WriteString("tip_id", shadow.TipId);
                json.WriteNumber("probability", shadow.Probability);
                json.WriteNumber("served_probability", shadow.ServedProbability);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return buffer.WrittenSpan;
    }

    /// <summary>The profile features used, by name, and the context.</summary>
    public static ReadOnlySpan<byte> WriteFeatures(DecisionRecord decision)
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
        return buffer.WrittenSpan;
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
        using (var document = JsonDocument.Parse(candidatesJson))
        {
            var root = document.RootElement;
            var inline = root.TryGetProperty("inline", out var inlineTips) ? inlineTips : default;
            var probabilityOf = root.GetProperty("probabilities").EnumerateArray().Select(p => p.GetDouble()).ToArray();
            var position = 0;
            foreach (var element in root.GetProperty("tip_ids").EnumerateArray())
            {
                var tipId = element.GetString()!;
                var probability = probabilityOf[position++];
                TipCandidate? candidate = null;
                if (inline.ValueKind == JsonValueKind.Object && inline.TryGetProperty(tipId, out var described))
                {
                    var tipFeatures = new Dictionary<string, double>();
                    foreach (var f in described.GetProperty("features").EnumerateObject()) tipFeatures[f.Name] = f.Value.GetDouble();
                    candidate = new TipCandidate(tipId, described.GetProperty("category").GetString()!, tipFeatures, InCatalog: false);
                }
                else if (catalog.TryGet(tipId, out var tip))
                {
                    candidate = tip.AsCandidate;
                }
                // A catalog tip deleted since the decision can no longer be credited; skip it.
                if (candidate is null) continue;
                candidates.Add(candidate);
                probabilities.Add(probability);
            }
        }
        return new DecisionRecord(requestId, userId, policy, hour, profile, candidates.ToArray(),
            probabilities.ToArray(), createdAtMs, promptVersion);
    }
}
