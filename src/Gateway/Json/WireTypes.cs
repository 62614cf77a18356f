using System.Text.Json;
using System.Text.Json.Serialization;
using Actors.Silo.EventStore;

namespace Actors.Gateway.Json;

// Wire types of the HTTP API. Request members are nullable so that a missing field reaches validation
// and is reported by name, instead of failing inside the deserializer with a vaguer message.

public sealed record ScoreRequest(
    string? UserId,
    List<CandidateInput>? Candidates,
    ScoreContext? Context,
    Dictionary<string, double>? ProfileFeatures);

public sealed record ScoreContext(int? Hour);

/// <summary>A candidate: a catalog id (a JSON string) or an inline tip (a JSON object).</summary>
[JsonConverter(typeof(CandidateInputConverter))]
public sealed record CandidateInput(string? TipId, string? Category, Dictionary<string, double>? Features, bool Inline);

public sealed record ScoreResponse(
    string RequestId,
    string UserId,
    string Policy,
    string? Experiment,
    string? Variant,
    string ChosenTipId,
    IReadOnlyList<RankedTipResponse> Ranked,
    IReadOnlyDictionary<string, double> ProfileFeatures);

public sealed record RankedTipResponse(string TipId, double Score, double Probability);

public sealed record FeedbackRequest(
    string? EventId,
    string? UserId,
    string? TipId,
    string? Kind,
    long? DwellMs,
    string? RequestId,
    string? At);

public sealed record FeedbackResponse(bool Accepted, bool Duplicate);

public sealed record FeedbackResult(string EventId, bool Accepted, bool Duplicate);

/// <summary>One result per event of a batch, in request order.</summary>
public sealed record FeedbackBatchResponse(IReadOnlyList<FeedbackResult> Results);

public sealed record ProfileResponse(
    string UserId,
    IReadOnlyDictionary<string, double> Features,
    DateTimeOffset ComputedAt,
    bool Stale);

public sealed record BanditResponse(
    string UserId,
    string Policy,
    IReadOnlyList<string> FeatureNames,
    long Updates,
    long RewardsThroughSeq,
    IReadOnlyDictionary<string, double> Weights,
    IReadOnlyDictionary<string, string> Experiments,
    int TipsWithRecords);

public sealed record ProfileSchemaResponse(IReadOnlyList<ProfileFeatureSchema> Features);

public sealed record ProfileFeatureSchema(string Name, string Dtype, string Window, double Default, string Description);

public sealed record GenerateRequest(string? UserId, string? PromptVersion, ScoreContext? Context);

public sealed record GenerateResponse(string TipId, string Text, string Category, string PromptVersion, string Provider, string Model);

public sealed record PromptVersionResponse(string Version, IReadOnlyList<string> Placeholders);

public sealed record PromptsResponse(IReadOnlyList<PromptVersionResponse> PromptVersions);

/// <summary>GET /admin/analytics/prompts: one entry per prompt version, as <see cref="PromptVersionStats"/> defines them.</summary>
public sealed record PromptAnalyticsResponse(IReadOnlyList<PromptVersionStats> PromptVersions);

/// <summary>GET /admin/analytics/generation: per prompt version, the model answers rejected as tips by reason, counted by this process since <c>Since</c>.</summary>
public sealed record GenerationAnalyticsResponse(DateTimeOffset Since, IReadOnlyList<PromptRejections> PromptVersions);

public sealed record PromptRejections(string PromptVersion, long Rejected, IReadOnlyDictionary<string, long> Rejections);

/// <summary>GET /admin/evaluation: a policy's estimated value on the decision log; the estimates are null when n is 0.</summary>
public sealed record EvaluationResponse(string Policy, int N, double? LoggingValue, EvaluationEstimates Estimates);

public sealed record EvaluationEstimates(EstimateResponse? Ips, EstimateResponse? Snips, EstimateResponse? Dr);

/// <summary>An estimate with its 95 % percentile bootstrap interval.</summary>
public sealed record EstimateResponse(double Value, double CiLow, double CiHigh);

public sealed record TipRequest(string? Text, string? Category, Dictionary<string, double>? Features);

public sealed record TipResponse(
    string TipId,
    string Text,
    string Category,
    IReadOnlyDictionary<string, double> Features,
    string Source,
    string? PromptVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A page of GET /tips; next_after, when not null, is the after of the next page.</summary>
public sealed record TipPageResponse(IReadOnlyList<TipResponse> Tips, string? NextAfter);

/// <summary>Reads a candidate written either as "tip-id" or as {"tip_id", "category", "features"}.</summary>
public sealed class CandidateInputConverter : JsonConverter<CandidateInput>
{
    public override CandidateInput? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String) return new CandidateInput(reader.GetString(), null, null, Inline: false);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A candidate is a tip id string or an object with tip_id and category.");
        }

        string? tipId = null, category = null;
        Dictionary<string, double>? features = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "tip_id": tipId = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); break;
                case "category": category = reader.TokenType == JsonTokenType.Null ? null : reader.GetString(); break;
                case "features": features = ReadFeatures(ref reader); break;
                default: throw new JsonException($"Unknown candidate field '{name}'.");
            }
        }
        return new CandidateInput(tipId, category, features, Inline: true);
    }

    /// <summary>
    /// Reads {"name": number}. A value that is not a finite number is kept as NaN, so validation reports it
    /// under its full name (candidates[i].features.name) rather than the reader failing without the index.
    /// </summary>
    private static Dictionary<string, double> ReadFeatures(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("A candidate's features must be an object of numbers.");
        var features = new Dictionary<string, double>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            features[name] = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) ? value : double.NaN;
            reader.Skip();
        }
        return features;
    }

    public override void Write(Utf8JsonWriter writer, CandidateInput value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Candidates are only read.");
}

/// <summary>A registered policy version, as GET /admin/policies lists it.</summary>
public sealed record PolicySummaryResponse(
    string Name, string Kind, string Stage, DateTimeOffset StageSince, IReadOnlyDictionary<string, double> Hyperparameters);

/// <summary>A policy's card: what it reads, how it is tuned, how it has done offline, and its rollout history.</summary>
public sealed record PolicyCardResponse(
    string Name,
    string Kind,
    string Stage,
    string Definition,
    IReadOnlyList<string> Inputs,
    IReadOnlyDictionary<string, double> Hyperparameters,
    IReadOnlyList<RolloutEntryResponse> RolloutHistory)
{
    /// <summary>Off-policy estimates of the policy's value on the decision log (GET /admin/policies/{name} only).</summary>
    public EvaluationResponse? OfflineMetrics { get; init; }
}

public sealed record RolloutEntryResponse(string Stage, DateTimeOffset At, string Reason);

public sealed record PromoteRequest(string? Stage, string? Reason);

public sealed record VariantConfigResponse(string Name, string Policy, double Weight);

public sealed record ExperimentSummaryResponse(string Name, bool Running, string Salt, double Holdout, IReadOnlyList<VariantConfigResponse> Variants);

/// <summary>
/// One variant's (or the holdout's) results. <see cref="MeanReward"/> is over the decisions whose served tip got
/// a complete or dismiss, with a 95 % Wilson interval (rewards take two values, so the interval maps exactly).
/// </summary>
public sealed record VariantResultResponse(
    string Variant, string Policy, double Weight, long Users, long Decisions, long Rewarded, long Completes, long Dismisses,
    double? MeanReward, double? CiLow, double? CiHigh);

/// <summary>Chi-square goodness of fit of the users assigned under the current split against its shares.</summary>
public sealed record SampleRatioResponse(long Users, IReadOnlyDictionary<string, double> ExpectedShares, double PValue, bool Mismatch);

public sealed record ExperimentResponse(
    string Name,
    bool Running,
    string Salt,
    double Holdout,
    IReadOnlyList<VariantResultResponse> Variants,
    SampleRatioResponse SampleRatio,
    long UsersUnderEarlierSplits);

/// <summary>One feature of the population prior: the mean weight a new user starts from and the precision it is held with.</summary>
public sealed record PriorTermResponse(string Name, double Mean, double Precision);

/// <summary>GET /admin/prior: the population prior as last estimated, its strongest terms first.</summary>
public sealed record PriorResponse(
    bool Enabled, double Strength, long Version, long Rewards, DateTimeOffset? EstimatedAt, int Features, IReadOnlyList<PriorTermResponse> Terms);

[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ScoreRequest))]
[JsonSerializable(typeof(ScoreResponse))]
[JsonSerializable(typeof(FeedbackRequest))]
[JsonSerializable(typeof(FeedbackResponse))]
[JsonSerializable(typeof(List<FeedbackRequest>))]
[JsonSerializable(typeof(FeedbackBatchResponse))]
[JsonSerializable(typeof(ProfileResponse))]
[JsonSerializable(typeof(ProfileSchemaResponse))]
[JsonSerializable(typeof(BanditResponse))]
[JsonSerializable(typeof(List<PolicySummaryResponse>))]
[JsonSerializable(typeof(PolicyCardResponse))]
[JsonSerializable(typeof(PromoteRequest))]
[JsonSerializable(typeof(List<ExperimentSummaryResponse>))]
[JsonSerializable(typeof(ExperimentResponse))]
[JsonSerializable(typeof(TipRequest))]
[JsonSerializable(typeof(GenerateRequest))]
[JsonSerializable(typeof(GenerateResponse))]
[JsonSerializable(typeof(PromptsResponse))]
[JsonSerializable(typeof(PromptAnalyticsResponse))]
[JsonSerializable(typeof(GenerationAnalyticsResponse))]
[JsonSerializable(typeof(TipResponse))]
[JsonSerializable(typeof(EvaluationResponse))]
[JsonSerializable(typeof(PriorResponse))]
[JsonSerializable(typeof(List<TipResponse>))]
[JsonSerializable(typeof(TipPageResponse))]
[JsonSerializable(typeof(Dictionary<string, double>))]
public sealed partial class WireJsonContext : JsonSerializerContext;
