namespace Actors.Bench.Load;

/// <summary>The service endpoints the load generator knows how to drive.</summary>
public enum TargetPath
{
    Score,
    Feedback,
    Ping,
    ScoreStateless,
}

public static class TargetPaths
{
    public const string Names = "score|feedback|ping|score-stateless";

    public static string Name(this TargetPath path) => path switch
    {
        TargetPath.Score => "score",
        TargetPath.Feedback => "feedback",
        TargetPath.Ping => "ping",
        TargetPath.ScoreStateless => "score-stateless",
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    public static bool TryParse(string text, out TargetPath path)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "score": path = TargetPath.Score; return true;
            case "feedback": path = TargetPath.Feedback; return true;
            case "ping": path = TargetPath.Ping; return true;
            case "score-stateless": path = TargetPath.ScoreStateless; return true;
            default: path = default; return false;
        }
    }

    public static HttpMethod Method(this TargetPath path) =>
        path == TargetPath.Ping ? HttpMethod.Get : HttpMethod.Post;

    /// <summary>Route relative to the base URL; ping adds its user_id query per request.</summary>
    public static string Route(this TargetPath path) => path switch
    {
        TargetPath.Score => "score",
        TargetPath.Feedback => "feedback",
        TargetPath.Ping => "bench/ping",
        TargetPath.ScoreStateless => "bench/score-stateless",
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    public static bool NeedsTips(this TargetPath path) => path != TargetPath.Ping;

    /// <summary>
    /// What --warm sends once per user: a ping activates only the ping grain, everything else
    /// is warmed through /score so the user's grains are active before measuring.
    /// </summary>
    public static TargetPath WarmWith(this TargetPath path) =>
        path == TargetPath.Ping ? TargetPath.Ping : TargetPath.Score;
}
