namespace Actors.Learning.Policies;

/// <summary>
/// One policy version as configured (section "Policies:Definitions:NAME"): its algorithm and hyperparameters.
/// A changed hyperparameter is a new version: give it a new name, so cards and logs never mix the two.
/// </summary>
public sealed class PolicyDefinition
{
    public static readonly string[] Kinds =
    [
        LinUcbPolicy.KindName, LinearThompsonPolicy.KindName, EpsilonGreedyPolicy.KindName, SoftmaxPolicy.KindName,
        UniformPolicy.KindName, BetaThompsonPolicy.KindName, Ucb1Policy.KindName,
    ];

    public string Kind { get; set; } = LinUcbPolicy.KindName;

    /// <summary>linucb: width of the confidence bonus.</summary>
    public double Alpha { get; set; } = 1.0;

    /// <summary>linear-thompson: v, the scale of the posterior the rewards are drawn from.</summary>
    public double Scale { get; set; } = 0.5;

    /// <summary>linear-thompson and beta-thompson: sampled rounds per decision, which the served distribution is made of.</summary>
    public int Draws { get; set; } = 32;

    /// <summary>epsilon-greedy: ε, or with <see cref="Decay"/> the constant of min(1, ε·K / t).</summary>
    public double Epsilon { get; set; } = 0.1;

    public bool Decay { get; set; }

    /// <summary>softmax: τ.</summary>
    public double Temperature { get; set; } = 0.1;

    /// <summary>Problems with this definition, each naming the setting; empty when it is usable.</summary>
    public IEnumerable<string> Problems(string name)
    {
        var at = $"Policies:Definitions:{name}";
        if (!Kinds.Contains(Kind)) yield return $"{at}:Kind '{Kind}' is not one of {string.Join(", ", Kinds)}.";
        if (!double.IsFinite(Alpha) || Alpha < 0) yield return $"{at}:Alpha must be finite and >= 0.";
        if (!double.IsFinite(Scale) || Scale <= 0) yield return $"{at}:Scale must be finite and > 0.";
        if (Draws is < 1 or > 10_000) yield return $"{at}:Draws must be in [1, 10000].";
        if (!double.IsFinite(Epsilon) || Epsilon < 0 || (Epsilon > 1 && !Decay)) yield return $"{at}:Epsilon must be in [0, 1] (any positive constant with Decay).";
        if (!double.IsFinite(Temperature) || Temperature <= 0) yield return $"{at}:Temperature must be finite and > 0.";
    }

    public IPolicy Create(string name) => Kind switch
    {
        LinUcbPolicy.KindName => new LinUcbPolicy(name, Alpha),
        LinearThompsonPolicy.KindName => new LinearThompsonPolicy(name, Scale, Draws),
        EpsilonGreedyPolicy.KindName => new EpsilonGreedyPolicy(name, Epsilon, Decay),
        SoftmaxPolicy.KindName => new SoftmaxPolicy(name, Temperature),
        UniformPolicy.KindName => new UniformPolicy(name),
        BetaThompsonPolicy.KindName => new BetaThompsonPolicy(name, Draws),
        Ucb1Policy.KindName => new Ucb1Policy(name),
        _ => throw new ArgumentException($"Unknown policy kind '{Kind}'.", nameof(Kind)),
    };
}
