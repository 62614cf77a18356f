using Actors.Simulator.Population;

namespace Actors.Tests.Simulation;

/// <summary>
/// The test of the kind that matters for offline evaluation: log the population simulator's users under the
/// uniform policy, estimate a learning policy on that log with the offline evaluator, deploy the same policy
/// on the same users (same hidden preferences and candidates, fresh models) for as many rounds per user as the
/// replay accepted, and check the deployed value lies inside the estimate's 95 % interval. Both runs use the
/// service's scoring code with seeded draws (<see cref="SeededTipService"/>), so each run is the same.
/// </summary>
public sealed class EvaluationBiasTests
{
    // About 8 accepted decisions per user: enough rounds for the learning policies to move off uniform.
    private static readonly BiasSettings Settings = new(Users: 300, Rounds: 40, Candidates: 5, Seed: 1, Resamples: 400);

    [Theory]
    [InlineData("egreedy-v1")]
    [InlineData("linucb-v1")]
    public async Task The_value_a_learning_policy_earns_when_deployed_lies_inside_its_offline_estimates_interval(string policyName)
    {
        var cancellation = TestContext.Current.CancellationToken;
        var service = ServiceModel.Load();
        var log = await EvaluationBias.LogAsync(service, Settings, cancellation);

        var result = await EvaluationBias.MeasureAsync(service, service.Policy(policyName), log, Settings, cancellation);

        Assert.Equal(Settings.Users * Settings.Rounds, log.Count);
        Assert.Equal(Settings.Users * Settings.Rounds, result.Estimate.N);
        // Uniform logging over 5 candidates: the replay accepts about one logged decision in 5.
        Assert.InRange(result.AcceptedPerUser, 0.8 * Settings.Rounds / Settings.Candidates, 1.2 * Settings.Rounds / Settings.Candidates);
        var replay = result.Estimate.Replay!.Value;
        Assert.True(result.Covered,
            $"{policyName}: deployed for {result.DeployedRounds} rounds per user earned {result.Deployed:F4}; replay {replay.Value:F4} [{replay.CiLow:F4}, {replay.CiHigh:F4}]");
    }

    [Theory]
    [InlineData("--users", "0")]
    [InlineData("--resamples", "1")]
    [InlineData("--policies", ",")]
    [InlineData("--rounds")]
    [InlineData("--http", "http://127.0.0.1:5000")]
    public void Bad_options_of_the_bias_command_are_refused(params string[] args) => Assert.Null(BiasOptions.Parse(args));

    [Fact]
    public void The_bias_command_takes_a_list_of_policies_and_defaults_to_every_definition()
    {
        Assert.Equal(["egreedy-v1", "linucb-v1"], BiasOptions.Parse(["--policies", "egreedy-v1, linucb-v1", "--users", "10"])!.Policies!);
        Assert.Null(BiasOptions.Parse([])!.Policies);
    }
}
