namespace Actors.Abstractions;

/// <summary>
/// One per cluster: what holds across users. Users' bandits send their rewards' sufficient statistics; it keeps
/// everyone's, estimates the population prior from them on a timer, and hands it to each silo's cache.
/// </summary>
[Alias("actors.IPopulationPriorGrain")]
public interface IPopulationPriorGrain : IGrainWithStringKey
{
    const string Key = "population";

    /// <summary>Adds one user's rewards since their last contribution.</summary>
    [Alias("ContributeAsync")]
    Task ContributeAsync(PriorContribution contribution);

    /// <summary>The current prior, or null when the caller already has <paramref name="knownVersion"/>.</summary>
    [Alias("GetAsync")]
    Task<PriorView?> GetAsync(long knownVersion);
}

/// <summary>Sufficient statistics of some rewards: the upper triangle of Σxxᵀ as (row, column, value) over <see cref="Names"/>, Σrx and the count.</summary>
[GenerateSerializer, Immutable, Alias("actors.PriorContribution")]
public sealed record PriorContribution(
    [property: Id(0)] string[] Names,
    [property: Id(1)] double[] Moment,
    [property: Id(2)] int[] Rows,
    [property: Id(3)] int[] Columns,
    [property: Id(4)] double[] Values,
    [property: Id(5)] long Rewards);

/// <summary>The population prior as estimated: per feature name, its mean weight and precision.</summary>
[GenerateSerializer, Immutable, Alias("actors.PriorView")]
public sealed record PriorView(
    [property: Id(0)] long Version,
    [property: Id(1)] string[] Names,
    [property: Id(2)] double[] Means,
    [property: Id(3)] double[] Precisions,
    [property: Id(4)] long Rewards,
    [property: Id(5)] long EstimatedAtMs,
    [property: Id(6)] double Strength);
