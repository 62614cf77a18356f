namespace Actors.Learning.Bandits;

/// <summary>What the population prior says of one model feature: its mean weight and the precision a new user starts with.</summary>
public readonly record struct PriorTerm(double Mean, double Precision);

/// <summary>
/// The population prior every user's ridge model starts from: per feature name, the population's mean weight
/// and the precision it is held with. A user's model is the posterior of this prior under the user's own
/// rewards (A = diag(precision) + Σxxᵀ, b = precision∘mean + Σrx), so it departs from the population as the
/// user's data arrives. <see cref="None"/> is the plain ridge prior: mean 0 at precision λ for every feature.
/// </summary>
public sealed class PopulationPrior
{
    private readonly Dictionary<FeatureKey, PriorTerm> _terms;

    public PopulationPrior(long version, IReadOnlyList<string> names, IReadOnlyList<double> means, IReadOnlyList<double> precisions)
    {
        if (names.Count != means.Count || names.Count != precisions.Count)
        {
            throw new ArgumentException("A prior needs one mean and one precision per name.", nameof(names));
        }
        Version = version;
        _terms = new Dictionary<FeatureKey, PriorTerm>(names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            if (!double.IsFinite(means[i]) || !double.IsFinite(precisions[i]) || precisions[i] <= 0)
            {
                throw new ArgumentException($"Prior term '{names[i]}' needs a finite mean and a finite positive precision.", nameof(means));
            }
            _terms[new FeatureKey(names[i])] = new PriorTerm(means[i], precisions[i]);
        }
    }

    public static PopulationPrior None { get; } = new(0, [], [], []);

    /// <summary>Increases with every new estimate; 0 is <see cref="None"/>.</summary>
    public long Version { get; }

    public int Count => _terms.Count;

    public IEnumerable<KeyValuePair<FeatureKey, PriorTerm>> Terms => _terms;

    public bool TryGet(FeatureKey key, out PriorTerm term) => _terms.TryGetValue(key, out term);
}
