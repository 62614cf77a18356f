namespace Actors.Learning.Bandits;

/// <summary>
/// A model feature's name with its hash computed once. Catalog tips build theirs once and every request
/// reuses them, so resolving a request's features against a user's model hashes no strings. There is no
/// process-wide table of names: each model interns the names it has learned (and no more than its
/// <see cref="LinUcbOptions.MaxDimension"/>), so names seen only in unrewarded requests leave no trace.
/// </summary>
public sealed class FeatureKey : IEquatable<FeatureKey>
{
    private readonly int _hash;

    public FeatureKey(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        _hash = StringComparer.Ordinal.GetHashCode(name);
    }

    public string Name { get; }

    public bool Equals(FeatureKey? other) =>
        other is not null && (ReferenceEquals(this, other) || (_hash == other._hash && string.Equals(Name, other.Name, StringComparison.Ordinal)));

    public override bool Equals(object? obj) => obj is FeatureKey other && Equals(other);

    public override int GetHashCode() => _hash;

    public override string ToString() => Name;
}

/// <summary>One non-zero entry of a feature vector, by name: what feature builders produce, independent of any model.</summary>
public readonly record struct NamedFeature(FeatureKey Key, double Value)
{
    public NamedFeature(string name, double value) : this(new FeatureKey(name), value)
    {
    }

    public string Name => Key.Name;
}

/// <summary>
/// One entry of a vector resolved against one model: <see cref="Index"/> ≥ 0 is the model's own dimension;
/// a negative index is a feature the model has not learned, slot <c>~Index</c> of the batch's unseen features,
/// which carry the prior's mean and precision.
/// </summary>
public readonly record struct SparseFeature(int Index, double Value);

/// <summary>
/// The candidates of one request, resolved against one user's model: the part they share (user and context)
/// once, and each candidate's own part (the tip crossed with the context) back to back in <see cref="Items"/>.
/// Features the model has not learned become unseen slots, each distinct name once, so two candidates sharing
/// a new category still move together under the prior.
/// </summary>
public sealed class CandidateBatch
{
    public CandidateBatch(SparseFeature[] shared, SparseFeature[] items, int[] offsets, double[]? unseenMean = null, double[]? unseenPrecision = null)
    {
        if (offsets.Length == 0 || offsets[0] != 0 || offsets[^1] != items.Length)
        {
            throw new ArgumentException("Offsets must start at 0 and end at the item count.", nameof(offsets));
        }
        Shared = shared;
        Items = items;
        Offsets = offsets;
        UnseenMean = unseenMean ?? [];
        UnseenPrecision = unseenPrecision ?? [];
    }

    public SparseFeature[] Shared { get; }
    public SparseFeature[] Items { get; }

    /// <summary>Candidate i spans Items[Offsets[i]..Offsets[i + 1]].</summary>
    public int[] Offsets { get; }

    /// <summary>The prior mean of each unseen slot.</summary>
    public double[] UnseenMean { get; }

    /// <summary>The prior precision of each unseen slot.</summary>
    public double[] UnseenPrecision { get; }

    public int Count => Offsets.Length - 1;

    public ReadOnlySpan<SparseFeature> Candidate(int index) =>
        Items.AsSpan(Offsets[index], Offsets[index + 1] - Offsets[index]);
}

/// <summary>The candidates of one request by feature name, before they meet a model.</summary>
public sealed class NamedBatch
{
    public NamedBatch(NamedFeature[] shared, NamedFeature[] items, int[] offsets)
    {
        if (offsets.Length == 0 || offsets[0] != 0 || offsets[^1] != items.Length)
        {
            throw new ArgumentException("Offsets must start at 0 and end at the item count.", nameof(offsets));
        }
        Shared = shared;
        Items = items;
        Offsets = offsets;
    }

    public NamedFeature[] Shared { get; }
    public NamedFeature[] Items { get; }
    public int[] Offsets { get; }
    public int Count => Offsets.Length - 1;

    public ReadOnlySpan<NamedFeature> Candidate(int index) =>
        Items.AsSpan(Offsets[index], Offsets[index + 1] - Offsets[index]);

    /// <summary>The full vector of one candidate: shared part then its own.</summary>
    public NamedFeature[] FullVector(int index)
    {
        var own = Candidate(index);
        var full = new NamedFeature[Shared.Length + own.Length];
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
