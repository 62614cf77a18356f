using Actors.Abstractions;
using Actors.Grains.Options;
using Actors.Grains.Services;
using Actors.Learning.Bandits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains;

public sealed class BanditGrain(
    [PersistentState("bandit", StorageNames.Grains)] IPersistentState<BanditSnapshot> snapshot,
    IEventStore store,
    IOptions<BanditOptions> banditOptions,
    IOptions<RewardOptions> rewardOptions,
    IOptions<ProfileOptions> profileOptions,
    IOptions<SnapshotOptions> snapshotOptions,
    TimeProvider time,
    ILogger<BanditGrain> logger) : Grain, IBanditGrain
{
    private readonly BanditOptions _options = banditOptions.Value;
    private readonly RewardOptions _rewards = rewardOptions.Value;
    private readonly long _profileTtlMs = (long)profileOptions.Value.Ttl.TotalMilliseconds;
    private readonly Dictionary<string, DecisionRecord> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentOrder = new();
    private readonly Random _random = new();
    private LinUcb _model = null!;
    private long _rewardsThroughSeq;
    private ProfileView? _profile;
    private bool _dirty;

    private string UserId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var saved = snapshot.State;
        _model = snapshot.RecordExists
            ? LinUcb.FromState(new LinUcbState(saved.FeatureNames, saved.A, saved.B, saved.Updates), _options.ToLinUcbOptions())
            : new LinUcb(_options.ToLinUcbOptions());
        _rewardsThroughSeq = saved.RewardsThroughSeq;
        await CatchUpAsync();

        var interval = snapshotOptions.Value.Interval;
        this.RegisterGrainTimer(FlushAsync, interval, interval);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        FlushAsync(cancellationToken);

    public async Task<ScoreResult> ScoreAsync(ScoreCommand command)
    {
        var profile = command.ProfileFeatures ?? (await CurrentProfileAsync()).Values;
        var (result, decision) = BanditScoring.Score(_model, UserId, command, profile, _random);
        Remember(decision);
        store.AppendDecision(decision);
        return result;
    }

    public async Task ObserveAsync(ObservedEvents observed)
    {
        if (_profile is null || observed.Profile.ComputedAtMs >= _profile.ComputedAtMs) _profile = observed.Profile;
        if (observed.PreviousRewardSeq > _rewardsThroughSeq)
        {
            // A reward before these never arrived (a gateway died between its two calls, or a retry was
            // answered "duplicate"): the log has it, and these too, since they are durable already.
            await CatchUpAsync();
            return;
        }
        foreach (var e in observed.Events)
        {
            // Older ones were learned already, from this call's twin or from the log.
            if (e.UserSeq > _rewardsThroughSeq) await ApplyAsync(e.UserSeq, e.Event);
        }
    }

    public Task<BanditSummary> GetSummaryAsync() => Task.FromResult(new BanditSummary(
        _model.PolicyName,
        _model.FeatureNames.ToArray(),
        _model.Updates,
        _rewardsThroughSeq,
        new Dictionary<string, double>(_model.Weights())));

    private async Task<ProfileView> CurrentProfileAsync()
    {
        if (_profile is null || time.NowMs() - _profile.ComputedAtMs > _profileTtlMs)
        {
            _profile = await GrainFactory.GetGrain<IUserProfileGrain>(UserId).GetAsync();
        }
        return _profile;
    }

    /// <summary>Credits the reward of a complete or dismiss to the decision that served the tip.</summary>
    private async Task ApplyAsync(long userSeq, FeedbackEvent feedback)
    {
        if (_rewards.RewardFor(feedback.Kind) is { } reward && feedback.RequestId is { } requestId)
        {
            var decision = _recent.GetValueOrDefault(requestId) ?? await store.FindDecisionAsync(requestId);
            var index = decision is null || decision.UserId != UserId
                ? -1
                : Array.FindIndex(decision.Candidates, c => c.TipId == feedback.TipId);
            if (index >= 0)
            {
                _model.Update(BanditScoring.VectorOf(decision!, index), reward);
            }
            else
            {
                logger.LogDebug("No decision {RequestId} serving {TipId} to {UserId}; event {UserSeq} carries no reward.", requestId, feedback.TipId, UserId, userSeq);
            }
        }
        _rewardsThroughSeq = userSeq;
        _dirty = true;
    }

    /// <summary>Learns from every reward the log holds beyond what this bandit has learned from.</summary>
    private async Task CatchUpAsync()
    {
        foreach (var logged in await store.ReadUserEventsAsync(UserId, _rewardsThroughSeq, rewardsOnly: true))
        {
            await ApplyAsync(logged.UserSeq, logged.Event);
        }
    }

    private void Remember(DecisionRecord decision)
    {
        _recent[decision.RequestId] = decision;
        _recentOrder.Enqueue(decision.RequestId);
        while (_recentOrder.Count > _options.RecentDecisions) _recent.Remove(_recentOrder.Dequeue());
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_dirty) return;
        var state = _model.ToState();
        snapshot.State = new BanditSnapshot
        {
            Policy = _model.PolicyName,
            FeatureNames = state.FeatureNames,
            A = state.A,
            B = state.B,
            Updates = state.Updates,
            RewardsThroughSeq = _rewardsThroughSeq,
        };
        _dirty = false;
        try
        {
            await snapshot.WriteStateAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            _dirty = true;
            logger.LogWarning(ex, "Bandit snapshot for {UserId} failed; the event log still holds every event.", UserId);
        }
    }
}
