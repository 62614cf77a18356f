using System.ComponentModel.DataAnnotations;
using Actors.Learning.Policies;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Options;

/// <summary>
/// Section "Policies": every registered policy version, and the stages they start in. After the first
/// start the registry's history rules: Live and Shadow here only place policies it has not seen yet, and
/// later moves are admin calls (POST /admin/policies/{name}/promote).
/// </summary>
public sealed class PolicyOptions
{
    public const string Section = "Policies";

    public string Live { get; set; } = "linucb-v1";

    public List<string> Shadow { get; set; } = [];

    public Dictionary<string, PolicyDefinition> Definitions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Without any definitions configured, the service still serves: LinUCB (α = 1) as "linucb-v1", live.</summary>
    public void AddDefaultWhenEmpty()
    {
        if (Definitions.Count > 0) return;
        Definitions["linucb-v1"] = new PolicyDefinition { Kind = LinUcbPolicy.KindName, Alpha = 1.0 };
    }

    /// <summary>How stale a silo's copy of the registry may get: a promotion made on another silo takes effect within this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Section "Experiments": A/B tests between policies.</summary>
public sealed class ExperimentOptions
{
    public const string Section = "Experiments";

    public Dictionary<string, ExperimentDefinition> Definitions { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// An A/B experiment: variants with weights, each served by a policy, and an optional holdout served by
/// the live policy. A user's variant is drawn once, by a hash of (experiment, salt, user), and kept;
/// changing <see cref="Salt"/> re-randomises everyone on purpose.
/// </summary>
public sealed class ExperimentDefinition
{
    public bool Running { get; set; }

    public string Salt { get; set; } = "";

    /// <summary>The share of users kept out of the experiment (served by the live policy, reported as "holdout").</summary>
    public double Holdout { get; set; }

    public Dictionary<string, VariantDefinition> Variants { get; set; } = new(StringComparer.Ordinal);
}

public sealed class VariantDefinition
{
    public string Policy { get; set; } = "";

    public double Weight { get; set; } = 1;
}

/// <summary>Checks the policy definitions at start; each problem names its setting.</summary>
public sealed class PolicyOptionsValidator : IValidateOptions<PolicyOptions>
{
    public const string HoldoutVariant = "holdout";

    public ValidateOptionsResult Validate(string? name, PolicyOptions options) => Result(PolicyProblems(options));

    public static IEnumerable<string> PolicyProblems(PolicyOptions options)
    {
        if (options.Definitions.Count == 0) yield return "Policies:Definitions must define at least one policy.";
        foreach (var (name, definition) in options.Definitions)
        {
            foreach (var problem in definition.Problems(name)) yield return problem;
        }
        if (!options.Definitions.ContainsKey(options.Live)) yield return $"Policies:Live '{options.Live}' is not defined under Policies:Definitions.";
        foreach (var shadow in options.Shadow.Where(s => !options.Definitions.ContainsKey(s)))
        {
            yield return $"Policies:Shadow '{shadow}' is not defined under Policies:Definitions.";
        }
    }

    public static IEnumerable<string> ExperimentProblems(ExperimentOptions options, PolicyOptions policies)
    {
        var running = options.Definitions.Where(e => e.Value.Running).Select(e => e.Key).ToArray();
        if (running.Length > 1) yield return $"Experiments: at most one experiment runs at a time; running: {string.Join(", ", running)}.";
        foreach (var (name, experiment) in options.Definitions)
        {
            var at = $"Experiments:Definitions:{name}";
            if (experiment.Variants.Count == 0) yield return $"{at}:Variants must name at least one variant.";
            if (!double.IsFinite(experiment.Holdout) || experiment.Holdout is < 0 or >= 1) yield return $"{at}:Holdout must be in [0, 1).";
            if (experiment.Variants.ContainsKey(HoldoutVariant)) yield return $"{at}:Variants: '{HoldoutVariant}' is reserved for the holdout.";
            if (experiment.Variants.Count > 0 && experiment.Variants.Values.Sum(v => v.Weight) <= 0) yield return $"{at}:Variants: the weights sum to zero.";
            foreach (var (variant, definition) in experiment.Variants)
            {
                if (!double.IsFinite(definition.Weight) || definition.Weight < 0) yield return $"{at}:Variants:{variant}:Weight must be finite and >= 0.";
                if (!policies.Definitions.ContainsKey(definition.Policy)) yield return $"{at}:Variants:{variant}:Policy '{definition.Policy}' is not defined under Policies:Definitions.";
            }
        }
    }

    internal static ValidateOptionsResult Result(IEnumerable<string> problems) =>
        problems.ToArray() is { Length: > 0 } all ? ValidateOptionsResult.Fail(all) : ValidateOptionsResult.Success;
}

/// <summary>Checks the experiments against the policies they name (a separate class: the policies' own validator cannot depend on their options).</summary>
public sealed class ExperimentOptionsValidator(IOptions<PolicyOptions> policies) : IValidateOptions<ExperimentOptions>
{
    public ValidateOptionsResult Validate(string? name, ExperimentOptions options) =>
        PolicyOptionsValidator.Result(PolicyOptionsValidator.ExperimentProblems(options, policies.Value));
}
