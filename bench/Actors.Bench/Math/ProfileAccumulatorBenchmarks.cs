using Actors.Learning.Profile;
using BenchmarkDotNet.Attributes;

namespace Actors.Bench.MathBenchmarks;

/// <summary>The profile grain's incremental path: fold one event into the feature slots, read the values out.</summary>
[MemoryDiagnoser]
public class ProfileAccumulatorBenchmarks
{
    private const int EventCount = 1024; // a power of two: the next event is one mask away
    private const long NowMs = 1_790_000_000_000;

    private ProfileEvent[] _events = null!;
    private ProfileAccumulator _accumulator = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _events = Events(new Random(20_261_126), EventCount, NowMs);
        _accumulator = new ProfileAccumulator();
        foreach (var e in _events)
        {
            _accumulator.Apply(e, NowMs);
        }
    }

    [Benchmark]
    public void Apply()
    {
        _accumulator.Apply(in _events[_next], NowMs);
        _next = (_next + 1) & (EventCount - 1);
    }

    [Benchmark]
    public double[] Values() => _accumulator.Values();

    /// <summary>Seeded events over the last 40 days (some fall outside the 30-day windows):
    /// mostly views with a dwell, some completes and dismisses.</summary>
    internal static ProfileEvent[] Events(Random random, int count, long nowMs)
    {
        const long day = 86_400_000;
        var events = new ProfileEvent[count];
        for (var i = 0; i < events.Length; i++)
        {
            var at = nowMs - (long)(random.NextDouble() * 40 * day);
            var roll = random.NextDouble();
            events[i] = roll switch
            {
                < 0.60 => new ProfileEvent(EventKind.View, at, random.NextDouble() < 0.9 ? random.Next(200, 20_000) : null),
                < 0.85 => new ProfileEvent(EventKind.Complete, at, null),
                _ => new ProfileEvent(EventKind.Dismiss, at, null),
            };
        }
        return events;
    }
}
