namespace Actors.Learning.Bandits;

/// <summary>
/// The candidates of one request as sparse vectors: the part they share (user and context) once,
/// and each candidate's own part (the tip crossed with the context) back to back in <see cref="Items"/>.
/// </summary>
public sealed class CandidateBatch
{
    public CandidateBatch(SparseFeature[] shared, SparseFeature[] items, int[] offsets)
    {
        if (offsets.Length == 0 || offsets[0] != 0 || offsets[^1] != items.Length)
        {
            throw new ArgumentException("Offsets must start at 0 and end at the item count.", nameof(offsets));
        }
        Shared = shared;
        Items = items;
        Offsets = offsets;
    }

    public SparseFeature[] Shared { get; }
    public SparseFeature[] Items { get; }

    /// <summary>Candidate i spans Items[Offsets[i]..Offsets[i + 1]].</summary>
    public int[] Offsets { get; }

    public int Count => Offsets.Length - 1;

    public ReadOnlySpan<SparseFeature> Candidate(int index) =>
        Items.AsSpan(Offsets[index], Offsets[index + 1] - Offsets[index]);

    /// <summary>The full vector of one candidate: shared part then its own.</summary>
    public SparseFeature[] FullVector(int index)
    {
        var own = Candidate(index);
        var full = new SparseFeature[Shared.Length + own.Length];
        Shared.CopyTo(full, 0);
        own.CopyTo(full.AsSpan(Shared.Length));
        return full;
    }
}

/// <summary>A policy's ranking of a request's candidates.</summary>
/// <param name="Order">Candidate indices in serving order; the first is the one served.</param>
/// <param name="Scores">The policy's score of each candidate, by candidate index.</param>
/// <param name="Probabilities">The chance the policy would have served each candidate first, by candidate index; sums to 1.</param>
public sealed record Ranking(int[] Order, double[] Scores, double[] Probabilities);

/// <summary>A contextual bandit over sparse feature vectors, as the per-user grain runs it.</summary>
public interface IContextualBandit
{
    string PolicyName { get; }

    /// <summary>Names of the features the model has been trained on, in its internal order.</summary>
    IReadOnlyList<string> FeatureNames { get; }

    long Updates { get; }

    Ranking Rank(CandidateBatch candidates, Random random);

    void Update(ReadOnlySpan<SparseFeature> features, double reward);
}
