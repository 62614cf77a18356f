using System.Globalization;
using System.Text;
using Actors.Abstractions;
using Actors.Grains.Evaluation;
using Actors.Grains.Options;
using Actors.Grains.Services;
using Actors.Learning.Bandits;
using Actors.Learning.Policies;
using Actors.Silo.Catalog;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace Actors.Simulator.Population;

/// <summary>How big the logged run is. Deployment uses the same users, candidates per request and seed.</summary>
public sealed record BiasSettings(int Users, int Rounds, int Candidates, int Seed, int Resamples);

/// <summary>What the measurement needs from the service: its catalog, ridge and reward settings, and its policy definitions.</summary>
public sealed record ServiceModel(IReadOnlyList<TipCandidate> Catalog, LinUcbOptions Ridge, RewardOptions Rewards, PolicyOptions Policies)
{
    /// <summary>
    /// The service's configuration file (as the in-process service reads it, environment variables over it)
    /// and the seed catalog, read through the real catalog on a temporary database.
    /// </summary>
    public static ServiceModel Load()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(InProcessTipService.ConfigPath(), optional: false, reloadOnChange: false)
            .AddEnvironmentVariables()
            .Build();
        var policies = configuration.GetSection(PolicyOptions.Section).Get<PolicyOptions>() ?? new PolicyOptions();
        policies.AddDefaultWhenEmpty();
        var bandit = configuration.GetSection(BanditOptions.Section).Get<BanditOptions>() ?? new BanditOptions();
        var rewards = configuration.GetSection(RewardOptions.Section).Get<RewardOptions>() ?? new RewardOptions();

        var directory = Path.Combine(Path.GetTempPath(), $"actors-bias-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            var catalog = new SqliteTipCatalog(Path.Combine(directory, "catalog.db"), TimeProvider.System, new LimitsOptions()).List().Select(t => t.AsCandidate).ToArray();
            return new ServiceModel(catalog, bandit.ToLinUcbOptions(), rewards, policies);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    public IPolicy Policy(string name) => Policies.Definitions[name].Create(name);
}

/// <summary>One policy's offline estimate beside the value it earned when deployed on the same population.</summary>
/// <param name="DeployedRounds">Rounds per user it was deployed for: the replay's accepted decisions per user, rounded.</param>
/// <param name="Deployed">Mean expected reward (hidden completion probability) of the tips it served when deployed.</param>
public sealed record PolicyBias(string Policy, PolicyEvaluation Estimate, double AcceptedPerUser, int DeployedRounds, double Deployed)
{
    public double? Bias => Estimate.Replay is { } replay ? replay.Value - Deployed : null;

    public bool Covered => Estimate.Replay is { } replay && replay.CiLow <= Deployed && Deployed <= replay.CiHigh;
}

/// <summary>
/// The evaluation-bias experiment: log a simulated population (<see cref="PopulationSimulation"/>, hidden
/// preferences of <see cref="PreferenceModel"/>) under the uniform policy, estimate a policy on that log with
/// <see cref="OfflineEvaluator"/>, then deploy the policy on the same population (same users' preferences,
/// same candidates, fresh models) for as many rounds per user as the replay accepted, and compare.
/// Both runs go through <see cref="SeededTipService"/>, so the whole experiment is repeatable from the seed.
/// </summary>
public static class EvaluationBias
{
    /// <summary>The logging policy: every candidate alike, which makes every other policy evaluable.</summary>
    public const string LoggingPolicy = "uniform-v1";

    public static async Task<IReadOnlyList<RewardedDecision>> LogAsync(ServiceModel service, BiasSettings settings, CancellationToken cancellationToken = default)
    {
        await using var logging = new SeededTipService(new UniformPolicy(LoggingPolicy), service.Catalog, service.Ridge, service.Rewards, settings.Seed);
        await PopulationSimulation.RunAsync(logging, Population(settings, settings.Rounds), cancellationToken: cancellationToken);
        return logging.Log;
    }

    public static async Task<PolicyBias> MeasureAsync(
        ServiceModel service, IPolicy policy, IReadOnlyList<RewardedDecision> log, BiasSettings settings, CancellationToken cancellationToken = default)
    {
        var random = new Random(OfflineEvaluator.Seed);
        var replay = OfflineEvaluator.Replay(policy, log, service.Rewards, service.Ridge, random, cancellationToken);
        var estimate = OfflineEvaluator.Summarize(policy.Name, replay, settings.Resamples, random);
        var acceptedPerUser = replay.Users == 0 ? 0 : replay.Accepted.Count / (double)replay.Users;
        var rounds = Math.Max(1, (int)Math.Round(acceptedPerUser));

        // A different seed for the service's own draws than the logging run's, the same for the population.
        await using var deployment = new SeededTipService(policy, service.Catalog, service.Ridge, service.Rewards, settings.Seed + 1);
        var deployed = await PopulationSimulation.RunAsync(deployment, Population(settings, rounds), cancellationToken: cancellationToken);
        return new PolicyBias(policy.Name, estimate, acceptedPerUser, rounds, deployed.AllRounds.ServedExpected);
    }

    /// <summary>Concurrency 1: the seeded service is deterministic only when users are served one at a time.</summary>
    private static PopulationSettings Population(BiasSettings settings, int rounds) =>
        new(settings.Users, rounds, settings.Candidates, settings.Seed, Concurrency: 1);

    /// <summary>The markdown table of docs/benchmarks.md.</summary>
    public static string MarkdownTable(IReadOnlyList<PolicyBias> results)
    {
        var table = new StringBuilder();
        table.AppendLine("| policy | accepted / user (= deployed rounds) | replay [95 % CI] | SNIPS [95 % CI] | DR [95 % CI] | deployed | bias (replay − deployed) | deployed in replay CI |");
        table.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |");
        foreach (var r in results)
        {
            var e = r.Estimate;
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| `{r.Policy}` | {r.AcceptedPerUser:F1} ({r.DeployedRounds}) | {Format(e.Replay)} | {Format(e.Snips)} | {Format(e.DoublyRobust)} | {r.Deployed:F3} | {FormatBias(r)} | {(r.Covered ? "yes" : "no")} |"));
        }
        return table.ToString();
    }

    private static string Format(Learning.Evaluation.Estimate? estimate) =>
        estimate is { } e ? string.Create(CultureInfo.InvariantCulture, $"{e.Value:F3} [{e.CiLow:F3}, {e.CiHigh:F3}]") : "–";

    private static string FormatBias(PolicyBias r) =>
        r.Bias is { } bias ? string.Create(CultureInfo.InvariantCulture, $"{bias:+0.000;−0.000;0.000} ({bias / r.Deployed:+0%;−0%;0%})") : "–";
}
