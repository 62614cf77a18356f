namespace Actors.Learning.Profile;

/// <summary>Wire dtype of a profile feature, as published by GET /profile/schema.</summary>
public enum FeatureDtype
{
    Int64,
    Float64,
}

/// <summary>Folds one event into a feature's accumulator slots.</summary>
public delegate void FeatureAccumulate(Span<double> slots, in ProfileEvent e);

/// <summary>Reads a feature's value out of its accumulator slots.</summary>
public delegate double FeatureEvaluate(ReadOnlySpan<double> slots);

/// <summary>
/// One profile feature: its contract (name, dtype, window, default) and both ways of computing it.
/// A feature keeps sufficient statistics in a few accumulator slots rather than its value, so the
/// incremental path (<see cref="Accumulate"/>) and the SQL path (<see cref="SqlAggregation"/>) meet
/// in the same state and a TTL refresh can hand over to incremental updates without loss.
/// </summary>
/// <param name="SqlAggregation">
/// A query over tip_views and tip_feedback with the parameters @user_id and @since_ms that returns rows
/// (slot, value) filling the accumulator; slots it does not return are zero.
/// </param>
public sealed record ProfileFeature(
    string Name,
    FeatureDtype Dtype,
    TimeSpan Window,
    double Default,
    int SlotCount,
    string SqlAggregation,
    FeatureAccumulate Accumulate,
    FeatureEvaluate Evaluate,
    string Description)
{
    /// <summary>The least value the feature can take; a caller-supplied value below it is refused.</summary>
    public double Min { get; init; } = double.MinValue;

    /// <summary>The greatest value the feature can take, or that a caller may supply for it.</summary>
    public double Max { get; init; } = double.MaxValue;

    /// <summary>Whether a value lies in [<see cref="Min"/>, <see cref="Max"/>] and, for an int64 feature, is whole.</summary>
    public bool Admits(double value) =>
        value >= Min && value <= Max && (Dtype != FeatureDtype.Int64 || Math.Floor(value) == value);

    public string DtypeName => Dtype switch
    {
        FeatureDtype.Int64 => "int64",
        FeatureDtype.Float64 => "float64",
        _ => throw new InvalidOperationException($"Unknown dtype {Dtype}."),
    };
}
