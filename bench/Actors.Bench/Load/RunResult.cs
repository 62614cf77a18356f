using HdrHistogram;

namespace Actors.Bench.Load;

/// <summary>Latency percentiles in microseconds, read off a merged HdrHistogram.</summary>
public sealed record LatencySummary(long Count, long P50, long P90, long P99, long P999, long Max, double Mean)
{
    public static LatencySummary From(HistogramBase histogram)
    {
        if (histogram.TotalCount == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(
            histogram.TotalCount,
            histogram.GetValueAtPercentile(50),
            histogram.GetValueAtPercentile(90),
            histogram.GetValueAtPercentile(99),
            histogram.GetValueAtPercentile(99.9),
            histogram.GetMaxValue(),
            histogram.GetMean());
    }
}

/// <summary>What the client itself spent during the measured window: the load generator shares
/// cores with the server, so this says how much of the machine it took away.</summary>
public sealed record ClientCost(double CpuSeconds, double WindowSeconds, long AllocatedBytes, int Gen0, int Gen1, int Gen2)
{
    public double Cores => WindowSeconds > 0 ? CpuSeconds / WindowSeconds : 0;
}

/// <param name="Mode">"closed" or "open".</param>
/// <param name="Requests">Responses received for requests sent in the measured window, any status.</param>
/// <param name="Missed">Open loop only: scheduled sends never made because the run ended while behind schedule.</param>
/// <param name="EventsPerRequest">Feedback events each request carried (--batch); 1 for the other paths.</param>
public sealed record RunResult(
    TargetPath Path,
    string Mode,
    double? TargetRate,
    int Connections,
    double ElapsedSeconds,
    long Requests,
    long NonSuccess,
    long Errors,
    long Missed,
    LatencySummary Latency,
    ClientCost Client,
    string? FirstProblem,
    int EventsPerRequest)
{
    public double Throughput => ElapsedSeconds > 0 ? Requests / ElapsedSeconds : 0;

    /// <summary>Feedback events per second: requests per second times the batch size.</summary>
    public double EventThroughput => Throughput * EventsPerRequest;

    /// <summary>Every measured request got a 2xx. Missed open-loop sends are warned about but don't make a run unclean:
    /// a handful at the very end is normal when the last responses come back late.</summary>
    public bool Clean => NonSuccess == 0 && Errors == 0;

    public double CpuMicrosPerRequest => Requests > 0 ? Client.CpuSeconds * 1e6 / Requests : 0;

    public double AllocBytesPerRequest => Requests > 0 ? (double)Client.AllocatedBytes / Requests : 0;
}
