using Actors.Simulator;
using Actors.Simulator.Population;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Simulation;

/// <summary>The simulator's files: the population curves as CSV and PNG, the Bernoulli regret plot.</summary>
public sealed class ReportTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static PopulationResult SampleResult() => new(
        "in-process", "linucb", new PopulationSettings(10, 3, 5, 1, 4),
        [new SimulatedUser("u0", "focus", 9)],
        [
            new RoundResult(0, 0, 0.1, 0.2, 0.2, 0.5),
            new RoundResult(1, 1, 0.3, 0.3, 0.21, 0.5),
            new RoundResult(2, 2, 0.4, 0.35, 0.2, 0.5),
        ]);

    [Fact]
    public void The_csv_has_a_header_and_one_line_per_round()
    {
        var directory = TempDirectory.Create("sim-csv");
        try
        {
            var path = Path.Combine(directory, "curves.csv");
            PopulationReport.WriteCsv(SampleResult(), path);

            var lines = File.ReadAllLines(path);
            Assert.Equal("round,hour,served_realised,served_expected,random,oracle", lines[0]);
            Assert.Equal(["0,0,0.1000,0.2000,0.2000,0.5000", "1,1,0.3000,0.3000,0.2100,0.5000", "2,2,0.4000,0.3500,0.2000,0.5000"], lines[1..]);
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    [Fact]
    public void The_json_result_has_the_phase_summaries_and_the_share_of_the_gap_closed()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(PopulationReport.ToJson(SampleResult(), requestedPolicy: null))!;

        Assert.Equal("linucb", json.Str("policy"));
        Assert.Equal(10, json.Val<int>("users"));
        Assert.Equal(3, json.Val<int>("rounds"));
        Assert.Equal(0.0, json["first_round"]!.Val<double>("gap_closed"), 12);
        Assert.Equal(3, json["last_rounds"]!.Val<int>("rounds"));
        // (mean served 0.2833 - mean random 0.2033) / (0.5 - 0.2033)
        Assert.Equal((0.85 / 3 - 0.61 / 3) / (0.5 - 0.61 / 3), json["last_rounds"]!.Val<double>("gap_closed"), 12);
    }

    [Fact]
    public void The_population_plot_is_a_png()
    {
        var directory = TempDirectory.Create("sim-png");
        try
        {
            var path = Path.Combine(directory, "population.png");
            Plots.Population(path, "test", SampleResult().Rounds);
            AssertPng(path);
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    [Fact]
    public void The_bernoulli_command_writes_its_regret_plot_and_curve()
    {
        var directory = TempDirectory.Create("sim-bernoulli");
        try
        {
            var png = Path.Combine(directory, "regret.png");
            var csv = Path.Combine(directory, "regret.csv");
            var exit = Bernoulli.Run(["--arms", "3", "--horizon", "2000", "--seeds", "2", "--png", png, "--csv", csv]);

            Assert.Equal(0, exit);
            AssertPng(png);
            Assert.Equal("round,mean_regret,lai_robbins", File.ReadLines(csv).First());
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    private static void AssertPng(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(PngSignature, bytes[..8]);
        // Three labelled curves on a 900×540 canvas; an empty or failed render is a few hundred bytes.
        Assert.True(bytes.Length > 10_000, $"{bytes.Length} bytes");
    }
}
