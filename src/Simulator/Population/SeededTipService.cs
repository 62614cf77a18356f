using Actors.Abstractions;
using Actors.Grains;
using Actors.Grains.Options;
using Actors.Grains.Services;
using Actors.Learning.Bandits;
using Actors.Learning.Policies;
using Actors.Learning.Profile;

namespace Actors.Simulator.Population;

/// <summary>
/// The service's scoring code without the silo: per-user <see cref="PolicyModels"/> in memory, each request
/// decided by <see cref="BanditScoring.Score"/> (what <c>BanditGrain</c> runs), each reward credited by
/// <see cref="BanditScoring.Credit"/>, the profile folded by <see cref="ProfileAccumulator"/>, and every draw
/// from one seeded generator. The grains draw from unseeded generators; this service makes a run repeatable,
/// which a check of a deployed value against an interval needs. Deterministic when driven one request at a
/// time (concurrency 1). Every decision is logged with its reaction, as the event store hands it to offline
/// evaluation.
/// </summary>
public sealed class SeededTipService(IPolicy policy, IReadOnlyList<TipCandidate> catalog, LinUcbOptions ridge, RewardOptions rewards, int seed)
    : ITipService
{
    private readonly Dictionary<string, TipCandidate> _catalog = catalog.ToDictionary(t => t.TipId, StringComparer.Ordinal);
    private readonly Dictionary<string, (PolicyModels Models, ProfileAccumulator Profile)> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DecisionRecord> _decisions = new(StringComparer.Ordinal);
    private readonly List<RewardedDecision> _log = [];
    private readonly Random _random = new(seed);
    private readonly Lock _lock = new();

    public string Mode => "seeded";

    /// <summary>The rewarded decisions so far, in the order they were answered.</summary>
    public IReadOnlyList<RewardedDecision> Log
    {
        get
        {
            lock (_lock) return _log.ToArray();
        }
    }

    public Task<IReadOnlyList<CatalogEntry>> CatalogAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CatalogEntry>>(catalog.Select(t => new CatalogEntry(t.TipId, t.Category)).ToArray());

    public Task<ServedTip> ScoreAsync(string userId, IReadOnlyList<string> candidateIds, int hour, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_users.TryGetValue(userId, out var user)) _users[userId] = user = (new PolicyModels(new LinUcb(ridge)), new ProfileAccumulator());
            var command = new ScoreCommand($"{userId}-{_decisions.Count}", candidateIds.Select(id => _catalog[id]).ToArray(), hour, null, at.ToUnixTimeMilliseconds());
            var (result, decision) = BanditScoring.Score(user.Models, new ServingPlan(policy, []), userId, command, user.Profile.Values(), _random);
            _decisions[decision.RequestId] = decision;
            return Task.FromResult(new ServedTip(result.RequestId, result.Policy, result.Ranked[0].TipId));
        }
    }

    public Task SendAsync(IReadOnlyList<Reaction> reactions, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var reaction in reactions)
            {
                var (models, profile) = _users[reaction.UserId];
                var decision = _decisions[reaction.RequestId];
                var events = InProcessTipService.ToEvents(reaction).ToArray();
                foreach (var e in events) profile.Apply(new ProfileEvent(e.Kind, e.AtMs, e.DwellMs), e.AtMs);
                var rewarded = events.Where(e => e.CarriesReward && rewards.RewardFor(e.Kind) is not null).ToArray();
                foreach (var e in rewarded) BanditScoring.Credit(models, decision, e.TipId, rewards.RewardFor(e.Kind)!.Value);
                if (rewarded.Length > 0) _log.Add(new RewardedDecision(decision, reaction.TipId, rewarded));
            }
        }
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
