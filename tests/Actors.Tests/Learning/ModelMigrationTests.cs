using Actors.Learning.Bandits;
using static Actors.Tests.Learning.DensePosterior;

namespace Actors.Tests.Learning;

/// <summary>
/// Migration of a stored model to another feature configuration, by name: kept and renamed features carry their
/// A rows and columns, b and prior precision exactly; dropped ones leave, and what remains is the model refitted
/// on the same rewards without them.
/// </summary>
public sealed class ModelMigrationTests
{
    private const double Lambda = 1.0;
    private static readonly double[] Profile = [0.4, 0.1, 12_000, 8, 30];

    /// <summary>A model trained on real feature vectors of four tips in two categories, and the vectors it learned.</summary>
    private static (LinUcb Model, List<(NamedFeature[] X, double Reward)> Rewards) Trained(int seed, string[] categories)
    {
        var random = new Random(seed);
        var tips = categories.Select((c, i) => new TipFeatures($"t{i}", c, new Dictionary<string, double> { ["effort"] = 0.25 * (i + 1) })).ToArray();
        // A prior with precisions other than λ, so carrying them over is visible.
        var prior = new PopulationPrior(1, ["cat=focus", "tip=t0", "bias"], [0.2, 0.1, 0.05], [3, 5, 7]);
        var model = new LinUcb(new LinUcbOptions { Lambda = Lambda }, prior);
        var rewards = new List<(NamedFeature[], double)>();
        for (var t = 0; t < 120; t++)
        {
            var batch = BanditFeatureSet.Default.Build(Profile, random.Next(24), tips);
            // The first rounds serve the tips in order, so features enter the model in the order of `categories`.
            var x = batch.FullVector(t < tips.Length ? t : random.Next(tips.Length));
            var reward = random.NextDouble() < 0.5 ? 1.0 : 0.0;
            Assert.True(model.Update(x, reward).Learned);
            rewards.Add((x, reward));
        }
        return (model, rewards);
    }

    [Fact]
    public void The_same_configuration_keeps_everything_exactly()
    {
        var (model, _) = Trained(1, ["focus", "rest", "focus", "rest"]);
        var state = model.ToState();

        var (migrated, summary) = ModelMigration.Migrate(state, BanditFeatureSet.Default, Lambda);

        Assert.Equal(state.FeatureNames, migrated.FeatureNames);
        Assert.Equal(state.A, migrated.A);
        Assert.Equal(state.B, migrated.B);
        Assert.Equal(state.PriorPrecision, migrated.PriorPrecision);
        Assert.Equal(state.Updates, migrated.Updates);
        Assert.Equal(new MigrationSummary(state.FeatureNames.Length, 0, 0), summary);
        Assert.False(summary.Changed);
    }

    [Fact]
    public void A_rename_of_a_category_carries_its_hour_terms_and_their_numbers()
    {
        var (model, _) = Trained(2, ["focus", "rest", "focus", "rest"]);
        var state = model.ToState();
        var to = new BanditFeatureSet(renames: new Dictionary<string, string> { ["cat=focus"] = "cat=concentration" });

        var (migrated, summary) = ModelMigration.Migrate(state, to, Lambda);

        var map = new Dictionary<string, string>
        {
            ["cat=focus"] = "cat=concentration",
            ["cat=focus|hour_sin"] = "cat=concentration|hour_sin",
            ["cat=focus|hour_cos"] = "cat=concentration|hour_cos",
        };
        Assert.Equal(state.FeatureNames.Select(n => map.GetValueOrDefault(n, n)), migrated.FeatureNames);
        AssertCarried(state, migrated, n => map.GetValueOrDefault(n, n));
        Assert.Equal(new MigrationSummary(state.FeatureNames.Length - 3, 3, 0), summary);
        Assert.True(summary.Changed);
    }

    [Fact]
    public void Dropped_features_leave_and_the_rest_is_the_model_refitted_without_them()
    {
        var (model, rewards) = Trained(3, ["focus", "rest", "focus", "rest"]);
        var state = model.ToState();
        // No hour terms, and one profile feature fewer.
        var to = new BanditFeatureSet(
            groups: [FeatureGroups.Category, FeatureGroups.Tip, FeatureGroups.Profile],
            profileFeatures: ["completion_rate_30d", "mean_dwell_ms_30d", "preferred_hour", "tip_volume_30d"]);

        var (migrated, summary) = ModelMigration.Migrate(state, to, Lambda);

        var gone = state.FeatureNames.Where(n => n.Contains("|hour_") || n == "user.dismiss_rate_30d").ToArray();
        Assert.Equal(5, gone.Length);
        Assert.Equal(state.FeatureNames.Except(gone), migrated.FeatureNames);
        Assert.Equal(new MigrationSummary(state.FeatureNames.Length - 5, 0, 5), summary);
        AssertCarried(state, migrated, n => n);

        // The refit: the same rewards with the dropped features removed, each kept feature at the precision it entered with.
        var refit = new DensePosterior();
        for (var i = 0; i < state.FeatureNames.Length; i++)
        {
            if (!gone.Contains(state.FeatureNames[i])) refit.Enter(state.FeatureNames[i], 0, state.PriorPrecision![i]);
        }
        foreach (var (x, r) in rewards) refit.Add(x.Where(f => !gone.Contains(f.Name)).ToArray(), r);
        var (a, _) = refit.System();
        var d = migrated.FeatureNames.Length;
        for (var i = 0; i < d; i++)
        {
            for (var j = 0; j < d; j++) AssertClose(a[i, j], migrated.A[i * d + j], 1e-12, $"A[{migrated.FeatureNames[i]},{migrated.FeatureNames[j]}]");
        }
        // Under the same prior means, the migrated model's weights are the refit's.
        var prior = new PopulationPrior(1, ["cat=focus", "tip=t0", "bias"], [0.2, 0.1, 0.05], [3, 5, 7]);
        foreach (var name in refit.Names) refit.SetMean(name, prior.TryGet(new FeatureKey(name), out var t) ? t.Mean : 0);
        var reloaded = LinUcb.FromState(migrated, new LinUcbOptions { Lambda = Lambda }, prior);
        AssertWeights(refit.Theta(), reloaded.Weights(), 1e-9);
    }

    [Theory]
    [InlineData("rest,focus,rest,focus")] // the renamed category entered the model first
    [InlineData("focus,rest,focus,rest")] // the name's bearer entered first
    public void A_rename_onto_a_name_the_model_has_keeps_the_feature_that_bore_it(string list)
    {
        var categories = list.Split(',');
        var (model, _) = Trained(4, categories);
        var state = model.ToState();
        var to = new BanditFeatureSet(renames: new Dictionary<string, string> { ["cat=rest"] = "cat=focus" });

        Assert.Equal(categories[0] == "rest", Array.IndexOf(state.FeatureNames, "cat=rest") < Array.IndexOf(state.FeatureNames, "cat=focus"));

        var (migrated, summary) = ModelMigration.Migrate(state, to, Lambda);

        Assert.DoesNotContain(migrated.FeatureNames, n => n.StartsWith("cat=rest", StringComparison.Ordinal));
        Assert.Equal(state.FeatureNames.Count(n => !n.StartsWith("cat=rest", StringComparison.Ordinal)), migrated.FeatureNames.Length);
        // cat=focus and its hour terms hold their own numbers, not cat=rest's.
        AssertCarried(state, migrated, n => n);
        Assert.Equal(new MigrationSummary(migrated.FeatureNames.Length, 0, 3), summary);
    }

    /// <summary>Every migrated feature's A row and column, b and precision are the stored ones of the name it came from, bit for bit.</summary>
    private static void AssertCarried(LinUcbState from, LinUcbState to, Func<string, string> rename)
    {
        var d = from.FeatureNames.Length;
        var n = to.FeatureNames.Length;
        var source = to.FeatureNames.Select(name => Array.FindIndex(from.FeatureNames, old => rename(old) == name && (old == name || !from.FeatureNames.Contains(name)))).ToArray();
        for (var p = 0; p < n; p++)
        {
            Assert.True(source[p] >= 0, to.FeatureNames[p]);
            Assert.Equal(from.B[source[p]], to.B[p]);
            Assert.Equal(from.PriorPrecision![source[p]], to.PriorPrecision![p]);
            for (var q = 0; q < n; q++) Assert.Equal(from.A[source[p] * d + source[q]], to.A[p * n + q]);
        }
    }
}
