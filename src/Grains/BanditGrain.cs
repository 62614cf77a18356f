using Actors.Abstractions;
using Actors.Grains.Options;
using Actors.Grains.Policies;
using Actors.Grains.Prior;
using Actors.Grains.Services;
using Actors.Learning.Bandits;
using Actors.Learning.Policies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains;

public sealed class BanditGrain(
    [PersistentState("bandit", StorageNames.Grains)] IPersistentState<BanditSnapshot> snapshot,
    IEventStore store,
    PolicyRollout rollout,
    ExperimentPlan experiments,
    PolicyCatalog policies,
    PriorCache prior,
    BanditFeatureSet features,
    IOptions<BanditOptions> banditOptions,
    IOptions<RewardOptions> rewardOptions,
    IOptions<ProfileOptions> profileOptions,
    IOptions<SnapshotOptions> snapshotOptions,
    [FromKeyedServices(GrainClock.Key)] TimeProvider time,
    ILogger<BanditGrain> logger) : Grain, IBanditGrain
{
    private readonly BanditOptions _options = banditOptions.Value;
    private readonly RewardOptions _rewards = rewardOptions.Value;
    private readonly long _profileTtlMs = (long)profileOptions.Value.Ttl.TotalMilliseconds;
    private readonly Dictionary<string, DecisionRecord> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentOrder = new();
    private Random _random = null!;
    private Dictionary<string, ExperimentAssignment> _assignments = null!;
    private PolicyModels _models = null!;
    private List<ModelVersion> _history = [];
    /// <summary>Rewards learned since the last snapshot, for the population; sent once that snapshot is written.</summary>
    private PriorStatistics? _unsnapshotted;
    /// <summary>Rewards in the last snapshot, not yet taken by the population.</summary>
    private PriorStatistics? _unsent;
    private long _rewardsThroughSeq;
    private ProfileView? _profile;
    private bool _dirty;
    /// <summary>Activation migrated the stored model to another feature configuration and it is not rewritten yet.</summary>
    private bool _migrationPending;

    private string UserId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _random = _options.RandomFor(UserId);
        LoadModels();
        _assignments = (await store.ReadAssignmentsAsync(UserId)).ToDictionary(a => a.Experiment, StringComparer.Ordinal);
        await CatchUpAsync();

        var interval = snapshotOptions.Value.Interval;
        this.RegisterGrainTimer(FlushAsync, interval, interval);
    }

    // A silo that is shutting down places no more grains, so the population prior cannot take a contribution
    // then: the snapshot is written, and the rewards it holds are not counted by the prior (see README).
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        FlushAsync(cancellationToken, contribute: reason.ReasonCode != DeactivationReasonCode.ShuttingDown);

    public async Task<ScoreResult> ScoreAsync(ScoreCommand command)
    {
        _models.Ridge.UsePrior(prior.Current);
        var profile = command.ProfileFeatures ?? (await CurrentProfileAsync()).Values;
        var plan = await PlanAsync(command.AtMs);
        var (result, decision) = BanditScoring.Score(_models, plan, UserId, command, profile, _random);
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

    public async Task<BanditSummary> GetSummaryAsync()
    {
        var plan = await PlanAsync(time.NowMs(), assign: false);
        var ridge = _models.Ridge;
        return new BanditSummary(
            plan.Policy.Name,
            ridge.FeatureNames.ToArray(),
            ridge.Updates,
            _rewardsThroughSeq,
            new Dictionary<string, double>(ridge.Weights()),
            _assignments.Values.ToDictionary(a => a.Experiment, a => a.Variant),
            _models.Arms.Count);
    }

    /// <summary>
    /// Who serves this user: the variant's policy when an experiment runs (assigned at the user's first
    /// request, durably, and kept however the weights change later), else the live policy; the registry's
    /// shadows decide beside it. Without <paramref name="assign"/> (a read) nobody is assigned.
    /// </summary>
    private async ValueTask<ServingPlan> PlanAsync(long nowMs, bool assign = true)
    {
        var serving = await rollout.CurrentAsync();
        if (experiments.Running is not { } experiment) return new ServingPlan(serving.Live, serving.Shadows);

        if (!_assignments.TryGetValue(experiment.Name, out var assignment) || !experiment.Keeps(assignment))
        {
            if (!assign) return new ServingPlan(serving.Live, serving.Shadows);
            assignment = new ExperimentAssignment(experiment.Name, UserId, experiment.Assign(UserId), experiment.Salt, experiment.Weights, nowMs);
            await store.AppendAssignmentAsync(assignment);
            _assignments[experiment.Name] = assignment;
        }
        var policy = experiment.PolicyOf(assignment.Variant) is { } name ? policies[name] : serving.Live;
        return new ServingPlan(policy, serving.Shadows.Where(s => s != policy).ToArray(), experiment.Name, assignment.Variant);
    }

    private async Task<ProfileView> CurrentProfileAsync()
    {
        if (_profile is null || time.NowMs() - _profile.ComputedAtMs > _profileTtlMs)
        {
            _profile = await GrainFactory.GetGrain<IUserProfileGrain>(UserId).GetAsync();
        }
        return _profile;
    }

    /// <summary>
    /// Credits the reward of a credited complete or dismiss (the store's decision: the first reaction of this
    /// user to a tip the decision offered) to the decision that served the tip.
    /// </summary>
    private async Task ApplyAsync(long userSeq, FeedbackEvent feedback)
    {
        if (_rewards.RewardFor(feedback.Kind) is { } reward && feedback.RequestId is { } requestId)
        {
            var decision = _recent.GetValueOrDefault(requestId) ?? await store.FindDecisionAsync(requestId);
            var credit = decision is not null && decision.UserId == UserId ? BanditScoring.Credit(_models, decision, feedback.TipId, reward) : null;
            if (credit is not { } learned)
            {
                logger.LogDebug("No decision {RequestId} serving {TipId} to {UserId}; event {UserSeq} carries no reward.", requestId, feedback.TipId, UserId, userSeq);
            }
            else
            {
                BanditMetrics.Record(learned.Result);
                if (!learned.Result.Learned)
                {
                    logger.LogWarning("Reward of event {UserSeq} of {UserId} refused ({Reason}): it would make the model non-finite.", userSeq, UserId, learned.Result.Refusal);
                }
                else if (prior.Enabled)
                {
                    (_unsnapshotted ??= new PriorStatistics()).Add(learned.Vector, reward);
                }
            }
        }
        _rewardsThroughSeq = userSeq;
        _dirty = true;
    }

    /// <summary>Learns from every credited reward the log holds beyond what this bandit has learned from.</summary>
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

    private async Task FlushAsync(CancellationToken cancellationToken) => await FlushAsync(cancellationToken, contribute: true);

    private async Task FlushAsync(CancellationToken cancellationToken, bool contribute)
    {
        if (_dirty)
        {
            snapshot.State = BanditSnapshot.Of(_models, _rewardsThroughSeq, _history);
            _dirty = false;
            try
            {
                await snapshot.WriteStateAsync(cancellationToken);
                _migrationPending = false;
                // These rewards are in the snapshot now, so no replay learns them again: safe to count them for the population once.
                if (_unsnapshotted is { } written) (_unsent ??= new PriorStatistics()).Add(written.ToData());
                _unsnapshotted = null;
            }
            catch (Exception ex)
            {
                _dirty = true;
                logger.LogWarning(ex, "Bandit snapshot for {UserId} failed; the event log still holds every event.", UserId);
            }
        }
        if (contribute) await ContributeAsync();
    }

    /// <summary>Sends the population what it has not taken yet; what a failed call keeps goes with the next flush.</summary>
    private async Task ContributeAsync()
    {
        if (_unsent is not { IsEmpty: false } unsent) return;
        try
        {
            var data = unsent.ToData();
            await prior.Grain.ContributeAsync(new PriorContribution(data.Names, data.Moment, data.Rows, data.Columns, data.Values, data.Rewards));
            _unsent = null;
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "The population prior did not take {UserId}'s rewards now; they go with the next snapshot.", UserId);
        }
    }

    /// <summary>The models of a user with nothing learned yet: the configured features over the current prior.</summary>
    private PolicyModels FreshModels() =>
        new BanditSnapshot().ToModels(_options.ToLinUcbOptions(), features, prior.Current, time.NowMs(), out _);

    /// <summary>
    /// The models from the snapshot, carried over to the configured features when they were built for others.
    /// A stored model that is not usable (non-finite, say, from before updates were checked) is rebuilt from the
    /// event log, so the user is never stuck on errors.
    /// </summary>
    private void LoadModels()
    {
        var stored = snapshot.State;
        _history = [.. stored.History];
        _rewardsThroughSeq = stored.RewardsThroughSeq;
        try
        {
            _models = stored.ToModels(_options.ToLinUcbOptions(), features, prior.Current, time.NowMs(), out var migration);
            if (!_models.Ridge.IsFinite()) throw new InvalidDataException("The stored model scores with non-finite numbers.");
            if (migration is not null)
            {
                _history.Add(migration);
                _dirty = true;
                _migrationPending = true;
                BanditMetrics.Migrated();
                logger.LogInformation("Bandit of {UserId} migrated from {From} to {To}: {Kept} kept, {Renamed} renamed, {Dropped} dropped.",
                    UserId, migration.From, migration.To, migration.Kept, migration.Renamed, migration.Dropped);
            }
        }
        catch (InvalidDataException ex)
        {
            logger.LogWarning(ex, "The stored bandit of {UserId} is unusable; rebuilding it from the event log.", UserId);
            BanditMetrics.Rebuilt();
            _models = FreshModels();
            _rewardsThroughSeq = 0;
            _dirty = true;
        }
    }

    public Task<BanditExport> ExportAsync()
    {
        var ridge = _models.Ridge;
        return Task.FromResult(new BanditExport(
            ridge.FeatureNames.ToArray(),
            new Dictionary<string, double>(ridge.Weights()),
            ridge.Updates,
            _rewardsThroughSeq,
            _models.Arms.Select(a => new TipRecordExport(a.Key, a.Value.Pulls, a.Value.Rewards)).OrderBy(t => t.TipId, StringComparer.Ordinal).ToArray()));
    }

    public async Task<ErasureReport> EraseAsync()
    {
        // Decisions this grain queued are ordered before the erasure in the writer's queue; no new one is made while it runs.
        var erased = await store.EraseUserDecisionsAsync(UserId);
        var removed = new Dictionary<string, long>(erased.Removed, StringComparer.Ordinal) { ["bandit_state"] = snapshot.RecordExists ? 1 : 0 };
        await snapshot.ClearStateAsync();
        _models = FreshModels();
        _history = [];
        // Rewards not yet sent to the population prior are the erased user's too: they go.
        _unsnapshotted = null;
        _unsent = null;
        _rewardsThroughSeq = 0;
        _recent.Clear();
        _recentOrder.Clear();
        _assignments.Clear();
        _profile = null;
        _dirty = false;
        DeactivateOnIdle();
        // Resolved here rather than injected, to leave the constructor as it is.
        await ServiceProvider.GetRequiredService<IGrainStateScrubber>().ScrubAsync();
        return new ErasureReport(removed, erased.TombstonedRequestIds);
    }

    public async Task<BanditInspection> InspectAsync(BanditInspectCommand command)
    {
        var lastSeq = await store.LastUserSeqAsync(UserId);
        var known = lastSeq > 0 || snapshot.RecordExists || _models.Updates > 0 || _recent.Count > 0 || _assignments.Count > 0;
        if (!known) return BanditInspection.Unknown;

        // The estimates a request would see now: over the current population prior, as ScoreAsync does.
        _models.Ridge.UsePrior(prior.Current);
        var profile = await CurrentProfileAsync();
        var plan = await PlanAsync(time.NowMs(), assign: false);
        var events = await store.ReadUserEventsAsync(UserId, Math.Max(0, lastSeq - command.MaxReactions));
        return new BanditInspection(
            Known: true,
            plan.Policy.Name,
            _models.Updates,
            profile,
            BanditInspector.Estimate(_models, profile.Values, command.Hour, command.Candidates),
            BanditInspector.Newest(_recentOrder, _recent, command.MaxDecisions),
            events.Reverse().Select(e => new SequencedEvent(e.UserSeq, e.Event)).ToArray(),
            _assignments.Values.ToDictionary(a => a.Experiment, a => a.Variant));
    }

    /// <summary>Writes the snapshot now when activation migrated it; true when it did.</summary>
    public async Task<bool> MigrateAsync()
    {
        if (!_migrationPending) return false;
        await FlushAsync(CancellationToken.None);
        if (_migrationPending) throw new InvalidOperationException("The migrated bandit snapshot could not be written; the next flush retries.");
        return true;
    }
}
