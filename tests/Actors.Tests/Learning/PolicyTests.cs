using Actors.Learning.Arms;
using Actors.Learning.Bandits;
using Actors.Learning.Policies;

namespace Actors.Tests.Learning;

public sealed class PolicyTests
{
    private static readonly string[] Categories = ["sleep", "focus", "movement", "sleep", "nutrition"];

    public static TheoryData<string> Kinds => new(PolicyDefinition.Kinds);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_policy_gives_a_valid_distribution_fresh_and_trained(string kind)
    {
        var policy = new PolicyDefinition { Kind = kind }.Create($"{kind}-test");
        var random = new Random(5);
        var models = NewModels();
        for (var round = 0; round < 300; round++)
        {
            var input = Input(models, hour: round % 24);
            var choice = policy.Decide(input, random);
            Distributions.Validate(choice.Probabilities);
            Assert.Equal(input.Count, choice.Values.Length);
            Assert.All(choice.Values, v => Assert.True(double.IsFinite(v)));

            var served = Distributions.SampleIndex(choice.Probabilities, random);
            Assert.True(choice.Probabilities[served] > 0);
            Learn(models, input, served, reward: Categories[served] == "focus" ? 1 : 0);
        }
    }

    [Theory]
    [InlineData(LinUcbPolicy.KindName)]
    [InlineData(LinearThompsonPolicy.KindName)]
    [InlineData(EpsilonGreedyPolicy.KindName)]
    [InlineData(SoftmaxPolicy.KindName)]
    [InlineData(BetaThompsonPolicy.KindName)]
    [InlineData(Ucb1Policy.KindName)]
    public void Learning_policies_come_to_favour_the_tip_that_pays(string kind)
    {
        var policy = new PolicyDefinition { Kind = kind, Temperature = 0.05 }.Create(kind);
        var random = new Random(9);
        var models = NewModels();
        for (var round = 0; round < 400; round++)
        {
            var input = Input(models, hour: 9);
            var served = Distributions.SampleIndex(policy.Decide(input, random).Probabilities, random);
            Learn(models, input, served, reward: Categories[served] == "focus" ? 1 : 0);
        }

        var final = policy.Decide(Input(models, hour: 9), random).Probabilities;
        Assert.True(final[1] > 0.8, $"{kind} gives the paying tip {final[1]:F3}");
    }

    [Fact]
    public void Uniform_ignores_what_was_learned()
    {
        var models = NewModels();
        var input = Input(models, hour: 9);
        for (var i = 0; i < 50; i++) Learn(models, input, 1, reward: 1);
        var choice = new UniformPolicy("uniform").Decide(Input(models, hour: 9), new Random(1));
        Assert.All(choice.Probabilities, p => Assert.Equal(1.0 / Categories.Length, p, 12));
    }

    [Fact]
    public void Linear_thompson_spreads_its_bets_while_it_knows_nothing()
    {
        var choice = new LinearThompsonPolicy("lints", scale: 1, draws: 400).Decide(Input(NewModels(), hour: 9), new Random(3));
        // Tips 0 and 3 share their features, so they share their chances too; no tip is certain or hopeless.
        Assert.All(choice.Probabilities, p => Assert.InRange(p, 0.05, 0.6));
        Assert.Equal(choice.Probabilities[0], choice.Probabilities[3], 1);
    }

    [Fact]
    public void Ucb1_serves_untried_tips_first()
    {
        var models = NewModels();
        var input = Input(models, hour: 9);
        Learn(models, input, 0, reward: 1);
        Learn(models, input, 2, reward: 1);

        var choice = new Ucb1Policy("ucb1").Decide(Input(models, hour: 9), new Random(1));
        double[] expected = [0, 1.0 / 3, 0, 1.0 / 3, 1.0 / 3];
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], choice.Probabilities[i], 9);
    }

    [Fact]
    public void Decaying_epsilon_greedy_explores_less_as_rewards_accrue()
    {
        var policy = new EpsilonGreedyPolicy("eg", epsilon: 2, decay: true);
        var models = NewModels();
        var input = Input(models, hour: 9);
        Assert.All(policy.Decide(input, new Random(1)).Probabilities, p => Assert.Equal(0.2, p, 12)); // ε = 1 at first

        for (var i = 0; i < 100; i++) Learn(models, input, 1, reward: 1);
        var later = policy.Decide(Input(models, hour: 9), new Random(1)).Probabilities;
        Assert.Equal(0.1 / 5 + 0.9, later[1], 9); // ε = 2·5/100
    }

    [Fact]
    public void Models_learn_each_reward_in_both_the_ridge_and_the_tip_record()
    {
        var models = NewModels();
        var input = Input(models, hour: 9);
        Learn(models, input, 2, reward: 3); // arms clamp it into [0, 1]
        Learn(models, input, 2, reward: 0);

        Assert.Equal(2, models.Updates);
        Assert.Equal(new ArmStat(2, 1), models.Arms["tip-2"]);
        Assert.False(models.Arms.ContainsKey("tip-1"));
    }

    [Fact]
    public void Semi_definite_cholesky_reproduces_singular_matrices()
    {
        // Rows 0 and 1 are equal: rank 2 of 3.
        double[] k = [2, 2, 1, 2, 2, 1, 1, 1, 3];
        var l = Cholesky.OfSemiDefinite(k, 3);
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                var product = 0.0;
                for (var p = 0; p < 3; p++) product += l[i * 3 + p] * l[j * 3 + p];
                Assert.Equal(k[i * 3 + j], product, 12);
            }
        }
    }

    [Fact]
    public void Definitions_name_the_setting_that_is_wrong()
    {
        Assert.Contains(new PolicyDefinition { Kind = "greedy" }.Problems("p"), p => p.StartsWith("Policies:Definitions:p:Kind", StringComparison.Ordinal));
        Assert.Contains(new PolicyDefinition { Epsilon = 1.5 }.Problems("p"), p => p.Contains(":Epsilon", StringComparison.Ordinal));
        Assert.Empty(new PolicyDefinition { Epsilon = 1.5, Decay = true }.Problems("p"));
        Assert.Contains(new PolicyDefinition { Draws = 0 }.Problems("p"), p => p.Contains(":Draws", StringComparison.Ordinal));
    }

    private static PolicyModels NewModels() => new(new LinUcb(new LinUcbOptions { Lambda = 1 }));

    private static PolicyInput Input(PolicyModels models, int hour)
    {
        var tips = Categories.Select((c, i) => new TipFeatures($"tip-{i}", c, null)).ToArray();
        var named = BanditFeatureSet.Default.Build([0.2, 0.1, 5000, 9, 10], hour, tips);
        return new PolicyInput(models.Ridge.Resolve(named), tips.Select(t => t.TipId).ToArray(), models, named);
    }

    private static void Learn(PolicyModels models, PolicyInput input, int index, double reward) =>
        models.Learn(input.TipIds[index], input.Named!.FullVector(index), reward);
}
