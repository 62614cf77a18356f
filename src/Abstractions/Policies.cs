namespace Actors.Abstractions;

/// <summary>The stages of a policy version's rollout.</summary>
public static class PolicyStages
{
    /// <summary>Registered and evaluable offline; serves nobody.</summary>
    public const string Candidate = "candidate";

    /// <summary>Decides beside the live policy on every request and logs its choice; never served.</summary>
    public const string Shadow = "shadow";

    /// <summary>Serves every user outside a running experiment. Exactly one policy is live.</summary>
    public const string Live = "live";

    public const string Retired = "retired";

    public static readonly string[] All = [Candidate, Shadow, Live, Retired];
}

/// <summary>One step of a policy's rollout history.</summary>
[GenerateSerializer, Immutable, Alias("actors.RolloutEntry")]
public sealed record RolloutEntry(
    [property: Id(0)] string Stage,
    [property: Id(1)] long AtMs,
    [property: Id(2)] string Reason);

/// <summary>A registered policy version: where it stands, what it was defined as, and how it got there.</summary>
/// <param name="Fingerprint">The definition (kind and hyperparameters) as text: a change shows in the history.</param>
[GenerateSerializer, Immutable, Alias("actors.PolicyRecord")]
public sealed record PolicyRecord(
    [property: Id(0)] string Name,
    [property: Id(1)] string Stage,
    [property: Id(2)] string Fingerprint,
    [property: Id(3)] RolloutEntry[] History);

/// <summary>The cluster's single policy registry: which policy is live, which run in shadow.</summary>
[Alias("actors.IPolicyRegistryGrain")]
public interface IPolicyRegistryGrain : IGrainWithStringKey
{
    public const string Key = "policies";

    [Alias("GetAsync")]
    Task<PolicyRecord[]> GetAsync();

    /// <summary>Moves a policy to a stage and records it; promoting one to live retires the one that was.</summary>
    /// <exception cref="ArgumentException">An unknown policy or stage, or a move that would leave no live policy.</exception>
    [Alias("PromoteAsync")]
    Task<PolicyRecord[]> PromoteAsync(string policy, string stage, string? reason);
}
