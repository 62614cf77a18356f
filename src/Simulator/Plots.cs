using Actors.Simulator.Population;
using ScottPlot;

namespace Actors.Simulator;

/// <summary>PNG figures of the simulations, drawn headless (ScottPlot on SkiaSharp).</summary>
public static class Plots
{
    private const int Width = 900;
    private const int Height = 540;

    /// <summary>The mean regret against the Lai-Robbins lower bound, both over the same rounds.</summary>
    public static void Regret(string path, string title, long[] rounds, double[] meanRegret, double[] laiRobbins)
    {
        var x = rounds.Select(r => (double)r).ToArray();
        Save(path, title, "round", "cumulative regret", plot =>
        {
            Line(plot, x, meanRegret, "mean regret");
            Line(plot, x, laiRobbins, "Lai-Robbins bound");
        });
    }

    /// <summary>Per round, the expected reward of what the service served, between the random policy's and the oracle's.</summary>
    public static void Population(string path, string title, IReadOnlyList<RoundResult> rounds)
    {
        var x = rounds.Select(r => (double)r.Round).ToArray();
        Save(path, title, "round", "expected reward per request", plot =>
        {
            Line(plot, x, rounds.Select(r => r.Oracle).ToArray(), "oracle");
            Line(plot, x, rounds.Select(r => r.ServedExpected).ToArray(), "served (expected)");
            Line(plot, x, rounds.Select(r => r.Random).ToArray(), "random");
            plot.Axes.SetLimitsY(0, 1);
        });
    }

    private static void Line(Plot plot, double[] x, double[] y, string label)
    {
        var line = plot.Add.Scatter(x, y);
        line.LegendText = label;
        line.MarkerSize = 0;
        line.LineWidth = 2;
    }

    private static void Save(string path, string title, string xLabel, string yLabel, Action<Plot> draw)
    {
        using var plot = new Plot();
        draw(plot);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, Width, Height);
    }
}
