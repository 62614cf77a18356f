using Actors.Abstractions;

namespace Actors.Grains;

public sealed class PingGrain : Grain, IPingGrain
{
    public ValueTask<int> PingAsync() => ValueTask.FromResult(1);
}
