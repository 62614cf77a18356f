using Actors.Grains.Options;
using Actors.Learning.Experiments;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Policies;

/// <summary>A user's place in an experiment, as kept with the user.</summary>
/// <param name="Weights">The variants' weights when the user was assigned, as text: the sample-ratio check compares like with like.</param>
public sealed record ExperimentAssignment(string Experiment, string UserId, string Variant, string Salt, string Weights, long AtMs);

/// <summary>The configured experiments and the one that runs, with its assignment rule.</summary>
public sealed class ExperimentPlan
{
    public ExperimentPlan(IOptions<ExperimentOptions> options)
    {
        Definitions = options.Value.Definitions;
        Running = Definitions.Where(e => e.Value.Running).Select(e => new RunningExperiment(e.Key, e.Value)).FirstOrDefault();
    }

    public IReadOnlyDictionary<string, ExperimentDefinition> Definitions { get; }

    public RunningExperiment? Running { get; }
}

public sealed class RunningExperiment
{
    private readonly ExperimentDefinition _definition;

    public RunningExperiment(string name, ExperimentDefinition definition)
    {
        Name = name;
        _definition = definition;
        Variants = definition.Variants.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new Variant(v.Key, v.Value.Weight)).ToArray();
        Weights = WeightsOf(definition);
    }

    public string Name { get; }

    public string Salt => _definition.Salt;

    public IReadOnlyList<Variant> Variants { get; }

    public string Weights { get; }

    /// <summary>"control=50;treatment=50;holdout=0.1": the split an assignment was made under.</summary>
    public static string WeightsOf(ExperimentDefinition definition) =>
        string.Join(';', definition.Variants.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value.Weight:R}")
            .Append($"{PolicyOptionsValidator.HoldoutVariant}={definition.Holdout:R}"));

    /// <summary>The policy serving a variant; null for the holdout, which the live policy serves.</summary>
    public string? PolicyOf(string variant) => _definition.Variants.GetValueOrDefault(variant)?.Policy;

    /// <summary>
    /// Deterministic: the holdout is cut first by its own hash, then the variants by weight with another, so
    /// changing the holdout share does not reshuffle who gets which variant.
    /// </summary>
    public string Assign(string userId) =>
        _definition.Holdout > 0 && Assignment.UnitInterval(Name, Salt + "\u001fholdout", userId) < _definition.Holdout
            ? PolicyOptionsValidator.HoldoutVariant
            : Assignment.Assign(Name, userId, Variants, Salt);

    /// <summary>Still valid: made under the current salt for a variant that still exists (weights may have changed since: that is the point).</summary>
    public bool Keeps(ExperimentAssignment assignment) =>
        assignment.Salt == Salt &&
        (assignment.Variant == PolicyOptionsValidator.HoldoutVariant || _definition.Variants.ContainsKey(assignment.Variant));
}
