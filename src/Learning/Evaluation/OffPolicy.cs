namespace Actors.Learning.Evaluation;

/// <summary>
/// One logged decision as off-policy evaluation needs it: the reward observed for the served candidate,
/// the chance the logging policy gave it, the chance the evaluated policy gives it, and, for the doubly
/// robust estimate, a reward model's prediction for the served candidate and its expectation under the
/// evaluated policy (Σₐ π(a|x) q̂(x, a)).
/// </summary>
public readonly record struct LoggedOutcome(
    double Reward,
    double LoggingProbability,
    double TargetProbability,
    double PredictedReward = 0,
    double ExpectedPredictedReward = 0);

public readonly record struct Estimate(double Value, double CiLow, double CiHigh);

/// <summary>
/// Inverse propensity scoring, its self-normalised form, and the doubly robust estimator (Dudík, Langford
/// and Li, 2011), each with a percentile bootstrap 95 % interval.
/// </summary>
public static class OffPolicy
{
    /// <summary>The mean observed reward, ignoring the probabilities: the replay estimate over the decisions the replay accepted.</summary>
    public static double Mean(ReadOnlySpan<LoggedOutcome> log)
    {
        var sum = 0.0;
        foreach (var o in log) sum += o.Reward;
        return log.IsEmpty ? 0 : sum / log.Length;
    }

    public static double Ips(ReadOnlySpan<LoggedOutcome> log)
    {
        var sum = 0.0;
        foreach (var o in log) sum += Weight(o) * o.Reward;
        return log.IsEmpty ? 0 : sum / log.Length;
    }

    public static double Snips(ReadOnlySpan<LoggedOutcome> log)
    {
        double weighted = 0, weights = 0;
        foreach (var o in log)
        {
            var w = Weight(o);
            weighted += w * o.Reward;
            weights += w;
        }
        return weights == 0 ? 0 : weighted / weights;
    }

    public static double DoublyRobust(ReadOnlySpan<LoggedOutcome> log)
    {
        var sum = 0.0;
        foreach (var o in log) sum += o.ExpectedPredictedReward + Weight(o) * (o.Reward - o.PredictedReward);
        return log.IsEmpty ? 0 : sum / log.Length;
    }

    /// <summary>The estimate on the log, with the 2.5th and 97.5th percentiles of <paramref name="resamples"/> bootstrap resamples.</summary>
    public static Estimate WithInterval(IReadOnlyList<LoggedOutcome> log, EstimatorFunction estimator, int resamples, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 2);
        var data = log.ToArray();
        var value = estimator(data);
        var replicate = new LoggedOutcome[data.Length];
        var estimates = new double[resamples];
        for (var b = 0; b < resamples; b++)
        {
            for (var i = 0; i < replicate.Length; i++) replicate[i] = data[random.Next(data.Length)];
            estimates[b] = estimator(replicate);
        }
        Array.Sort(estimates);
        return new Estimate(value, Percentile(estimates, 0.025), Percentile(estimates, 0.975));
    }

    public delegate double EstimatorFunction(ReadOnlySpan<LoggedOutcome> log);

    private static double Weight(in LoggedOutcome o)
    {
        if (!(o.LoggingProbability > 0)) throw new ArgumentException("A logged decision needs a positive logging probability.");
        return o.TargetProbability / o.LoggingProbability;
    }

    private static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }
}
