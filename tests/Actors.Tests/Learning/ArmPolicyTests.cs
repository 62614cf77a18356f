using Actors.Learning.Arms;

namespace Actors.Tests.Learning;

public sealed class ArmPolicyTests
{
    [Theory]
    [InlineData(0.5, 0.5, 0.0)]
    [InlineData(0.4, 0.5, 0.020135513550688863)] // 0.4 ln 0.8 + 0.6 ln 1.2
    [InlineData(0.0, 0.5, 0.6931471805599453)]   // ln 2
    [InlineData(0.9, 0.5, 0.3680642071684971)]   // 0.9 ln 1.8 + 0.1 ln 0.2
    public void Bernoulli_kl_divergence_matches_its_definition(double p, double q, double expected) =>
        Assert.Equal(expected, BernoulliBandit.KullbackLeibler(p, q), 12);

    [Fact]
    public void The_lai_robbins_curve_for_the_chapelle_li_setting()
    {
        var means = new[] { 0.5 }.Concat(Enumerable.Repeat(0.4, 9)).ToArray();
        var perArm = 0.1 / (0.4 * Math.Log(0.4 / 0.5) + 0.6 * Math.Log(0.6 / 0.5));

        Assert.Equal(Math.Log(100_000) * 9 * perArm, BernoulliBandit.LaiRobbins(means, 100_000), 9);
        Assert.Equal(0, BernoulliBandit.LaiRobbins([0.3, 0.3], 1000));
    }

    [Fact]
    public void Ucb1_tries_every_arm_once_before_it_exploits()
    {
        var policy = new Ucb1(5);
        var random = new Random(1);
        var first = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            var arm = policy.Choose(random);
            first.Add(arm);
            policy.Update(arm, arm == 3 ? 1 : 0);
        }

        Assert.Equal([0, 1, 2, 3, 4], first.Order());
        Assert.Equal(3, policy.Choose(random));
    }

    [Fact]
    public void Decaying_epsilon_follows_the_schedule()
    {
        var policy = new EpsilonGreedy(arms: 10, epsilon: 5, decay: true);
        Assert.Equal(1, policy.CurrentEpsilon);
        for (var i = 0; i < 100; i++) policy.Update(0, 0);
        Assert.Equal(0.5, policy.CurrentEpsilon, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpsilonGreedy(3, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpsilonGreedy(3, -0.1, decay: true));
    }

    [Fact]
    public void Thompson_takes_bernoulli_rewards_only()
    {
        var policy = new BetaBernoulliThompson(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => policy.Update(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => policy.Update(2, 1));
    }

    [Fact]
    public void In_the_bernoulli_setting_thompson_sampling_has_the_least_regret()
    {
        // K = 10, the best arm pays 0.5 and the others 0.4 (Chapelle and Li, 2011), at a short horizon.
        var means = new[] { 0.5 }.Concat(Enumerable.Repeat(0.4, 9)).ToArray();
        const long horizon = 20_000;
        double MeanRegret(Func<IArmPolicy> create) => Enumerable.Range(0, 3)
            .Average(seed => BernoulliBandit.Run(create(), means, horizon, new Random(100 + seed), [horizon])[0]);

        var thompson = MeanRegret(() => new BetaBernoulliThompson(10));
        var ucb1 = MeanRegret(() => new Ucb1(10));
        var greedy = MeanRegret(() => new EpsilonGreedy(10, 0.1));

        Assert.True(thompson < ucb1, $"Thompson {thompson:F1} vs UCB1 {ucb1:F1}");
        Assert.True(thompson < greedy, $"Thompson {thompson:F1} vs ε-greedy {greedy:F1}");
        // A policy that learns nothing pays 0.09 per round on average: 1,800 here.
        Assert.True(thompson < 0.5 * 0.09 * horizon, $"Thompson {thompson:F1}");
    }
}
