using Actors.Abstractions;
using Microsoft.Extensions.Logging;

namespace Actors.Grains.Policies;

/// <summary>The registry's stored form: every policy version it has seen, with its history.</summary>
[GenerateSerializer, Alias("actors.PolicyRegistryState")]
public sealed class PolicyRegistryState
{
    [Id(0)] public List<PolicyRecord> Policies { get; set; } = [];
}

/// <summary>
/// One per cluster: the rollout stage of every policy version and how it got there. Reconciled with the
/// configured definitions at activation (new ones are placed as configured, changed ones noted, removed
/// ones retired); after that, stages move only by <see cref="PromoteAsync"/>.
/// </summary>
public sealed class PolicyRegistryGrain(
    [PersistentState("registry", StorageNames.Grains)] IPersistentState<PolicyRegistryState> state,
    PolicyCatalog catalog,
    TimeProvider time,
    ILogger<PolicyRegistryGrain> logger) : Grain, IPolicyRegistryGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Reconcile()) await state.WriteStateAsync(cancellationToken);
    }

    public Task<PolicyRecord[]> GetAsync() => Task.FromResult(state.State.Policies.ToArray());

    public async Task<PolicyRecord[]> PromoteAsync(string policy, string stage, string? reason)
    {
        if (!PolicyStages.All.Contains(stage)) throw new ArgumentException($"Stage '{stage}' is not one of {string.Join(", ", PolicyStages.All)}.", nameof(stage));
        var index = state.State.Policies.FindIndex(p => p.Name == policy);
        if (index < 0 || !catalog.TryGet(policy, out _)) throw new ArgumentException($"Policy '{policy}' is not registered.", nameof(policy));
        var current = state.State.Policies[index];
        if (current.Stage == stage) return await GetAsync();
        if (current.Stage == PolicyStages.Live)
        {
            throw new ArgumentException($"'{policy}' is live; promote another policy to live instead, which retires this one.", nameof(stage));
        }

        var because = string.IsNullOrWhiteSpace(reason) ? "admin" : reason.Trim();
        if (stage == PolicyStages.Live)
        {
            var live = state.State.Policies.FindIndex(p => p.Stage == PolicyStages.Live);
            if (live >= 0) Move(live, PolicyStages.Retired, $"replaced by {policy}");
        }
        Move(index, stage, because);
        await state.WriteStateAsync();
        logger.LogInformation("Policy {Policy} moved from {From} to {To}: {Reason}", policy, current.Stage, stage, because);
        return await GetAsync();
    }

    /// <summary>Brings the stored registry in line with the configured definitions; true when it changed.</summary>
    private bool Reconcile()
    {
        var options = catalog.Options;
        var policies = state.State.Policies;
        var changed = false;
        foreach (var name in catalog.Names)
        {
            var fingerprint = catalog.Fingerprint(name);
            var index = policies.FindIndex(p => p.Name == name);
            if (index < 0)
            {
                var stage = name == options.Live ? PolicyStages.Live : options.Shadow.Contains(name) ? PolicyStages.Shadow : PolicyStages.Candidate;
                // A configured live policy only takes over when nothing is live yet: afterwards promotion is an admin call.
                if (stage == PolicyStages.Live && policies.Any(p => p.Stage == PolicyStages.Live)) stage = PolicyStages.Candidate;
                policies.Add(new PolicyRecord(name, stage, fingerprint, [new RolloutEntry(stage, time.NowMs(), "configured")]));
                changed = true;
            }
            else if (policies[index].Fingerprint != fingerprint)
            {
                policies[index] = policies[index] with
                {
                    Fingerprint = fingerprint,
                    History = [.. policies[index].History, new RolloutEntry(policies[index].Stage, time.NowMs(), $"redefined as {fingerprint}")],
                };
                changed = true;
            }
        }
        for (var i = 0; i < policies.Count; i++)
        {
            if (policies[i].Stage != PolicyStages.Retired && !catalog.TryGet(policies[i].Name, out _))
            {
                Move(i, PolicyStages.Retired, "no longer defined");
                changed = true;
            }
        }
        if (!policies.Any(p => p.Stage == PolicyStages.Live))
        {
            Move(policies.FindIndex(p => p.Name == options.Live), PolicyStages.Live, "configured live; no policy was live");
            changed = true;
        }
        var live = policies.First(p => p.Stage == PolicyStages.Live).Name;
        if (live != options.Live)
        {
            logger.LogWarning(
                "Policies:Live names {Configured}, but the registry's live policy is {Live} (moved by an admin call); the registry rules. Promote {Configured} to change it.",
                options.Live, live, options.Live);
        }
        return changed;
    }

    private void Move(int index, string stage, string reason)
    {
        var policies = state.State.Policies;
        policies[index] = policies[index] with
        {
            Stage = stage,
            History = [.. policies[index].History, new RolloutEntry(stage, time.NowMs(), reason)],
        };
    }
}
