using Actors.Learning.Arms;
using Actors.Learning.Bandits;

namespace Actors.Learning.Policies;

/// <summary>
/// What one user's policies learn: a ridge regression of reward on the candidate's features (read by the
/// contextual policies) and a success record per tip (read by the non-contextual ones). Every reward updates
/// both, whichever policy served: each models the reward of a candidate given what was shown, so data logged
/// by another policy teaches it without reweighting, which is what lets shadows and challengers learn off-policy.
/// </summary>
public sealed class PolicyModels
{
    public PolicyModels(LinUcb ridge, Dictionary<string, ArmStat>? arms = null, BanditFeatureSet? features = null)
    {
        Ridge = ridge;
        Arms = arms ?? new Dictionary<string, ArmStat>(StringComparer.Ordinal);
        Features = features ?? BanditFeatureSet.Default;
    }

    public LinUcb Ridge { get; }

    /// <summary>Which features the ridge model reads: the configuration it was built (or migrated) for.</summary>
    public BanditFeatureSet Features { get; }

    /// <summary>By tip id; rewards are clamped into [0, 1] here, as the Beta-Bernoulli and UCB1 rules assume.</summary>
    public Dictionary<string, ArmStat> Arms { get; }

    public long Updates => Ridge.Updates;

    /// <summary>Learns one reward in both models; a refused ridge update (not finite) leaves the tip's record alone too.</summary>
    public UpdateResult Learn(string tipId, ReadOnlySpan<NamedFeature> features, double reward)
    {
        var result = Ridge.Update(features, reward);
        if (result.Learned) Arms[tipId] = Arms.GetValueOrDefault(tipId).Add(Math.Clamp(reward, 0, 1));
        return result;
    }
}

/// <summary>
/// One request as every policy sees it: the candidates' features and tip ids, and the user's models. The
/// ridge estimates are computed once and shared by the live policy and its shadows.
/// </summary>
public sealed class PolicyInput(CandidateBatch batch, IReadOnlyList<string> tipIds, PolicyModels models, NamedBatch? named = null)
{
    private (double[] Means, double[] Variances)? _estimate;
    private double[]? _covariance;
    private ArmStat[]? _arms;

    public CandidateBatch Batch => batch;

    /// <summary>The request's features by name, as built before they met the model (what learning takes).</summary>
    public NamedBatch? Named => named;

    public IReadOnlyList<string> TipIds => tipIds;

    public int Count => batch.Count;

    /// <summary>Rewards the user's models have learned from: the clock of decaying schedules.</summary>
    public long Rounds => models.Updates;

    public double[] Means => (_estimate ??= models.Ridge.Estimate(batch)).Means;

    public double[] Variances => (_estimate ??= models.Ridge.Estimate(batch)).Variances;

    public double[] Covariance => _covariance ??= models.Ridge.Covariance(batch);

    public ArmStat[] Arms => _arms ??= tipIds.Select(id => models.Arms.GetValueOrDefault(id)).ToArray();
}

/// <summary>A policy's answer: a value per candidate (what the rest of the ranking follows) and the chance of serving each.</summary>
public sealed record PolicyChoice(double[] Values, double[] Probabilities);

/// <summary>What a policy reads: the candidates' features through the ridge model, or each tip's own record.</summary>
public enum PolicyInputs
{
    Contextual,
    PerTip,
}

/// <summary>
/// A serving policy: a full probability distribution over the candidates of a request. The grain draws
/// the served tip from it and logs that tip's probability, which off-policy evaluation divides by.
/// </summary>
public interface IPolicy
{
    /// <summary>The registered name of this policy version, e.g. "linucb-v1".</summary>
    string Name { get; }

    /// <summary>The algorithm, e.g. "linucb".</summary>
    string Kind { get; }

    PolicyInputs Inputs { get; }

    IReadOnlyDictionary<string, double> Hyperparameters { get; }

    PolicyChoice Decide(PolicyInput input, Random random);
}
