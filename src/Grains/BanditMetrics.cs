using System.Diagnostics.Metrics;
using Actors.Learning.Bandits;

namespace Actors.Grains;

/// <summary>The bandit's instruments (meter "Actors.Bandit"): what an operator needs to see when input tries to break a model.</summary>
public static class BanditMetrics
{
    public const string MeterName = "Actors.Bandit";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> RefusedUpdates = Meter.CreateCounter<long>(
        "actors.bandit.updates_refused", description: "Rewards not learned because the update, or the model after it, was not finite.");

    private static readonly Counter<long> DroppedFeatures = Meter.CreateCounter<long>(
        "actors.bandit.features_dropped", description: "Features left out of updates because the user's model was at Bandit:MaxDimension.");

    private static readonly Counter<long> RebuiltModels = Meter.CreateCounter<long>(
        "actors.bandit.models_rebuilt", description: "Stored models found unusable (non-finite, not positive definite) and rebuilt from the event log.");

    private static readonly Counter<long> MigratedModels = Meter.CreateCounter<long>(
        "actors.bandit.models_migrated", description: "Stored models carried over to a new feature configuration.");

    public static void Record(UpdateResult result)
    {
        if (!result.Learned) RefusedUpdates.Add(1, new KeyValuePair<string, object?>("reason", result.Refusal.ToString()));
        if (result.DroppedFeatures > 0) DroppedFeatures.Add(result.DroppedFeatures);
    }

    public static void Rebuilt() => RebuiltModels.Add(1);

    public static void Migrated() => MigratedModels.Add(1);
}
