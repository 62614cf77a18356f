using Actors.Simulator.Population;

namespace Actors.Tests.Simulation;

/// <summary>The hidden truths of the population kinds, and the options that choose them and configure the service.</summary>
public sealed class PopulationKindsTests
{
    private static readonly string[] Categories = ["focus", "movement", "sleep", "social"];

    /// <summary>Eight tips per category, ids in order, as the simulator lists the catalog.</summary>
    private static readonly CatalogEntry[] Catalog =
        Categories.SelectMany(c => Enumerable.Range(0, 8).Select(i => new CatalogEntry($"{c}-{i}", c))).OrderBy(t => t.TipId, StringComparer.Ordinal).ToArray();

    [Fact]
    public void Category_hour_is_the_original_preference_model_with_the_same_users_from_the_same_seed()
    {
        var truth = PopulationKinds.Draw(PopulationKinds.CategoryHour, Catalog, new Random(3));
        var random = new Random(8);
        var users = Enumerable.Range(0, 50).Select(i => truth.DrawUser($"u{i}", random)).ToArray();

        Assert.Equal(PreferenceModel.DrawUsers(50, "u", Categories, new Random(8)), users);
        foreach (var hour in new[] { 0, 7, 19 })
        {
            Assert.Equal(PreferenceModel.CompletionProbability(users[0], Catalog[^1].Category, hour), truth.CompletionProbability(users[0], Catalog[^1], hour), 12);
        }
    }

    [Fact]
    public void Category_has_no_time_of_day_and_pays_what_category_hour_pays_over_a_day()
    {
        var withHours = PopulationKinds.Draw(PopulationKinds.CategoryHour, Catalog, new Random(1));
        var withoutHours = PopulationKinds.Draw(PopulationKinds.Category, Catalog, new Random(1));
        var user = new SimulatedUser("u", "focus", 9);
        foreach (var tip in new[] { Catalog[0], Catalog[^1] })
        {
            var byHour = Enumerable.Range(0, 24).Select(h => withoutHours.CompletionProbability(user, tip, h)).ToArray();
            Assert.All(byHour, p => Assert.Equal(byHour[0], p, 12));
            Assert.Equal(Enumerable.Range(0, 24).Average(h => withHours.CompletionProbability(user, tip, h)), byHour[0], 12);
        }
    }

    [Fact]
    public void Shared_taste_gives_half_the_users_the_popular_category_and_makes_the_best_category_depend_on_the_hour()
    {
        var truth = (PopulationKinds.SharedTasteTruth)PopulationKinds.Draw(PopulationKinds.SharedTaste, Catalog, new Random(4));
        var random = new Random(2);
        var users = Enumerable.Range(0, 2000).Select(i => truth.DrawUser($"u{i}", random)).ToArray();

        // Half by design, plus the uniform draws that land on it: 1/2 + 1/2 · 1/4 = 0.625.
        var popularShare = users.Count(u => u.PreferredCategory == truth.Popular) / (double)users.Length;
        Assert.InRange(popularShare, 0.59, 0.66);
        Assert.Equal(Categories, users.Select(u => u.PreferredCategory).Distinct().Order(StringComparer.Ordinal));

        // For a user, some hour makes another category pay more than the user's own: the optimum needs category × hour.
        var user = users[0];
        var ownTip = Catalog.First(t => t.Category == user.PreferredCategory);
        var beaten = Enumerable.Range(0, 24).Any(h => Catalog.Any(t => t.Category != user.PreferredCategory
            && truth.CompletionProbability(user, t, h) > truth.CompletionProbability(user, ownTip, h)));
        Assert.True(beaten, "the user's own category pays most at every hour");
        // And the hour effect is the category's, the same for every user.
        var other = users.First(u => u.PreferredCategory != user.PreferredCategory);
        var neither = Catalog.First(t => t.Category != user.PreferredCategory && t.Category != other.PreferredCategory);
        Assert.All(Enumerable.Range(0, 24), h => Assert.Equal(truth.CompletionProbability(user, neither, h), truth.CompletionProbability(other, neither, h), 12));
    }

    [Fact]
    public void Tip_quality_makes_a_quarter_of_the_tips_good_for_everyone()
    {
        var truth = (PopulationKinds.TipQualityTruth)PopulationKinds.Draw(PopulationKinds.TipQuality, Catalog, new Random(6));

        Assert.Equal(Catalog.Length / 4, truth.Quality.Values.Count(q => q == PopulationKinds.TipQualityTruth.GoodQuality));
        Assert.All(truth.Quality.Values.Where(q => q != PopulationKinds.TipQualityTruth.GoodQuality),
            q => Assert.InRange(q, PopulationKinds.TipQualityTruth.PoorLow, PopulationKinds.TipQualityTruth.PoorHigh));
        var good = Catalog.First(t => truth.Quality[t.TipId] == PopulationKinds.TipQualityTruth.GoodQuality);
        var user = new SimulatedUser("u", good.Category, 3);
        var stranger = new SimulatedUser("v", Categories.First(c => c != good.Category), 3);
        Assert.Equal(0.6 + PopulationKinds.TipQualityTruth.TasteLift, truth.CompletionProbability(user, good, 0), 12);
        Assert.Equal(0.6, truth.CompletionProbability(stranger, good, 17), 12);
        // The same seed draws the same qualities.
        Assert.Equal(truth.Quality, ((PopulationKinds.TipQualityTruth)PopulationKinds.Draw(PopulationKinds.TipQuality, Catalog, new Random(6))).Quality);
    }

    [Fact]
    public void The_population_and_service_settings_are_options_and_set_is_in_process_only()
    {
        var options = PopulationOptions.Parse(["--population", "tip-quality", "--set", "Bandit:Lambda=0.25", "--set", "Policies:Definitions:x:Alpha=0.2", "--policy", "x", "--seed", "7"])!;

        Assert.Equal("tip-quality", options.Settings.Population);
        var overrides = ServiceOverrides.For(options.Seed, options.Policy, options.Sets);
        Assert.Equal("0.25", overrides["Bandit:Lambda"]);
        Assert.Equal("0.2", overrides["Policies:Definitions:x:Alpha"]);
        Assert.Equal("x", overrides["Policies:Live"]);
        Assert.Equal("7", overrides["Bandit:Seed"]);
        // A --set wins over what the simulator derives.
        Assert.Equal("3", ServiceOverrides.For(7, null, [new("Bandit:Seed", "3")])["Bandit:Seed"]);

        Assert.Null(PopulationOptions.Parse(["--population", "everyone"]));
        Assert.Null(PopulationOptions.Parse(["--set", "no-equals-sign"]));
        Assert.Null(PopulationOptions.Parse(["--set", "Bandit:Lambda=2", "--http", "http://127.0.0.1:5000"]));
    }

    [Fact]
    public void The_sweep_grid_covers_each_kind_at_each_lambda_and_uniform_once()
    {
        var grid = SweepCommand.Grid(SweepOptions.Defaults);

        Assert.Single(grid, c => c.Kind == "uniform");
        Assert.Equal(2 * (5 + 8 + 4 + 3) + 1, grid.Count);
        Assert.Equal(grid.Count, grid.Select(c => (c.Label, c.Lambda)).Distinct().Count());
        var decayed = grid.First(c => c.Label == "ε-greedy ε=0.05 decay" && c.Lambda == 0.25);
        Assert.Equal("epsilon-greedy", decayed.Settings["Policies:Definitions:sweep:Kind"]);
        Assert.Equal("True", decayed.Settings["Policies:Definitions:sweep:Decay"]);
        Assert.Equal("0.25", decayed.Settings["Bandit:Lambda"]);
    }

    [Fact]
    public void The_sweep_table_gives_each_window_the_mean_and_spread_over_seeds_best_first()
    {
        var grid = SweepCommand.Grid(SweepOptions.Defaults);
        var (uniform, greedy) = (grid.Single(c => c.Kind == "uniform"), grid.First(c => c.Kind == "linucb"));
        var options = SweepOptions.Defaults with { Rounds = 20 };
        SweepRun[] runs =
        [
            new("category", uniform, 1, [0.0, 0.02], 0.01, TimeSpan.Zero),
            new("category", greedy, 1, [0.2, 0.4], 0.3, TimeSpan.Zero),
            new("category", greedy, 2, [0.3, 0.5], 0.4, TimeSpan.Zero),
        ];

        var lines = SweepCommand.Markdown(runs, options).Split('\n').Where(l => l.StartsWith('|')).ToArray();

        Assert.Equal("| policy | λ | seeds | rounds 1–10 | rounds 11–20 | all rounds |", lines[0]);
        // Mean and sample standard deviation over the two seeds: 0.25 ± 0.0707.
        Assert.Equal($"| {greedy.Label} | 0.25 | 2 | 25 % ± 7 | 45 % ± 7 | 35 % ± 7 |", lines[2]);
        Assert.Equal("| uniform | 1 | 1 | 0 % | 2 % | 1 % |", lines[3]);
    }
}
