using System.Globalization;
using Actors.Grains.Options;
using Actors.Learning.Policies;
using Actors.Learning.Bandits;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Policies;

/// <summary>Every configured policy version, built once: the registry places them, grains run them.</summary>
public sealed class PolicyCatalog
{
    private readonly Dictionary<string, IPolicy> _policies;

    public PolicyCatalog(IOptions<PolicyOptions> options)
    {
        Options = options.Value;
        _policies = Options.Definitions.ToDictionary(d => d.Key, d => d.Value.Create(d.Key), StringComparer.Ordinal);
    }

    public PolicyOptions Options { get; }

    public IEnumerable<string> Names => _policies.Keys.Order(StringComparer.Ordinal);

    public bool TryGet(string name, out IPolicy policy) => _policies.TryGetValue(name, out policy!);

    public IPolicy this[string name] => _policies.TryGetValue(name, out var policy)
        ? policy
        : throw new KeyNotFoundException($"Policy '{name}' is not defined under Policies:Definitions.");

    /// <summary>The definition as one line of text, e.g. "linucb alpha=1": the registry notes when it changes.</summary>
    public string Fingerprint(string name)
    {
        var policy = this[name];
        var parameters = policy.Hyperparameters.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $" {p.Key}={p.Value.ToString("R", CultureInfo.InvariantCulture)}");
        return policy.Kind + string.Concat(parameters);
    }

    /// <summary>What a policy decides from, for its card: the model's feature names (templated where they depend on the tip).</summary>
    public static IReadOnlyList<string> InputsOf(IPolicy policy, BanditFeatureSet features) => policy.Inputs switch
    {
        PolicyInputs.PerTip => ["tip_id (each tip's own reward record for this user)"],
        _ => features.TemplatedNames(),
    };
}
