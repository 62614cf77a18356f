using Actors.Abstractions;
using Actors.Grains.Services;
using Microsoft.Extensions.Logging;

namespace Actors.Grains;

/// <summary>
/// How one user's feedback reaches the grains: the profile grain makes the events durable, then the
/// bandit learns from the new rewards. The gateway and the simulator both call this, so they cannot drift.
/// </summary>
public static class FeedbackFlow
{
    /// <summary>
    /// Records one user's events; answers, per event in order, whether it was a duplicate. Throws
    /// <see cref="ErasedRequestException"/>, having written none of them, when one names an erased decision.
    /// </summary>
    public static async Task<bool[]> RecordAsync(IUserProfileGrain profile, IBanditGrain bandit, FeedbackEvent[] events, ILogger logger)
    {
        var recorded = await profile.RecordAsync(events);
        if (recorded.RefusedRequestId is { } refused) throw new ErasedRequestException(refused);
        var duplicate = new bool[events.Length];
        List<SequencedEvent>? rewards = null;
        for (var k = 0; k < events.Length; k++)
        {
            duplicate[k] = recorded.UserSeqs[k] == 0;
            if (recorded.Credited[k])
            {
                (rewards ??= []).Add(new SequencedEvent(recorded.UserSeqs[k], events[k]));
            }
        }
        // Only credited rewards teach the bandit (the store decided as it wrote them: the first reaction of the
        // decision's own user to a tip it offered); views, repeats and other users' claims update the profile alone.
        if (rewards is null) return duplicate;
        try
        {
            await bandit.ObserveAsync(new ObservedEvents(rewards.ToArray(), recorded.Profile, recorded.PreviousRewardSeq));
        }
        catch (Exception ex)
        {
            // The events are durable already; the bandit takes them from the log at its next gap or activation.
            logger.LogWarning(ex, "The bandit of {UserId} did not take {Count} events now; it will replay them.", profile.GetPrimaryKeyString(), rewards.Count);
        }
        return duplicate;
    }
}
