using System.ComponentModel.DataAnnotations;

namespace Actors.Grains.Options;

/// <summary>Section "Evaluation": how much of the decision log offline evaluation replays, and how it draws its intervals.</summary>
public sealed class EvaluationOptions
{
    public const string Section = "Evaluation";

    /// <summary>
    /// The most recent rewarded decisions replayed per evaluation. Bounds the request's memory and time:
    /// every one is read, parsed and decided on again.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxDecisions { get; set; } = 50_000;

    /// <summary>Bootstrap resamples behind each 95 % interval.</summary>
    [Range(2, 100_000)]
    public int BootstrapResamples { get; set; } = 500;
}
