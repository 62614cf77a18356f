using Actors.Abstractions;

namespace Actors.Grains;

/// <summary>
/// Erases one user everywhere: the profile grain first (the user's events, the profile state), then the bandit
/// grain (decisions, experiment assignments, the bandit state, and the scrub of the grain-state file). In that
/// order, a bandit activated in between finds no events of the user's past to relearn from. Each step runs in its
/// grain's turn, so a request of the user is either ordered before the step (and erased) or after it (and kept
/// as the fresh user's). Safe to repeat: a second erasure removes nothing and reports zeros.
/// </summary>
public static class UserErasure
{
    public static async Task<ErasureReport> EraseAsync(IUserProfileGrain profile, IBanditGrain bandit)
    {
        var profileErased = await profile.EraseAsync();
        return ErasureReport.Combine(profileErased, await bandit.EraseAsync());
    }
}
