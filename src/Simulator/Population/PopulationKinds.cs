namespace Actors.Simulator.Population;

/// <summary>
/// A run's hidden truth: how a new user's tastes are drawn and the chance a user completes a tip at an hour.
/// Drawn once per run by <see cref="PopulationKinds.Draw"/>, with whatever holds for everyone (a popular
/// category, each category's best hour, each tip's quality).
/// </summary>
public interface IPopulationTruth
{
    /// <summary>The population kind, e.g. "category-hour".</summary>
    string Name { get; }

    SimulatedUser DrawUser(string userId, Random random);

    double CompletionProbability(SimulatedUser user, CatalogEntry tip, int hour);
}

/// <summary>
/// The population kinds the simulator offers (<c>--population NAME</c>). Each formula is documented in the
/// README's Simulator section; the constants live here so tests and docs read the same numbers.
/// </summary>
public static class PopulationKinds
{
    public const string CategoryHour = "category-hour";
    public const string Category = "category";
    public const string SharedTaste = "shared-taste";
    public const string TipQuality = "tip-quality";

    public const string Default = CategoryHour;

    public static readonly string[] Names = [CategoryHour, Category, SharedTaste, TipQuality];

    /// <summary>
    /// Draws the run's truth over the catalog (whose order must not depend on how it was listed). Users are
    /// then drawn from the same generator, so the same seed gives the same population and users.
    /// </summary>
    public static IPopulationTruth Draw(string name, IReadOnlyList<CatalogEntry> catalog, Random random)
    {
        var categories = catalog.Select(t => t.Category).Distinct().Order(StringComparer.Ordinal).ToArray();
        return name switch
        {
            CategoryHour => new CategoryHourTruth(categories),
            Category => new CategoryTruth(categories),
            SharedTaste => SharedTasteTruth.Draw(categories, random),
            TipQuality => TipQualityTruth.Draw(catalog, categories, random),
            _ => throw new ArgumentException($"Unknown population '{name}': one of {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    /// <summary>The preferred category and hour each drawn uniformly, in that order (the draws of the original population run).</summary>
    private static SimulatedUser Uniform(string userId, string[] categories, Random random) =>
        PreferenceModel.DrawUser(userId, categories, random);

    /// <summary>A preferred category and a preferred hour per user: <see cref="PreferenceModel"/>.</summary>
    private sealed class CategoryHourTruth(string[] categories) : IPopulationTruth
    {
        public string Name => CategoryHour;

        public SimulatedUser DrawUser(string userId, Random random) => Uniform(userId, categories, random);

        public double CompletionProbability(SimulatedUser user, CatalogEntry tip, int hour) =>
            PreferenceModel.CompletionProbability(user, tip.Category, hour);
    }

    /// <summary>
    /// category-hour without time of day: the hour lift is replaced by its mean over the day (HourLift / 2), so
    /// both populations pay the same on average. Users are drawn as in category-hour (the hour goes unused).
    /// </summary>
    private sealed class CategoryTruth(string[] categories) : IPopulationTruth
    {
        public string Name => Category;

        public SimulatedUser DrawUser(string userId, Random random) => Uniform(userId, categories, random);

        public double CompletionProbability(SimulatedUser user, CatalogEntry tip, int hour) =>
            PreferenceModel.BaseRate
            + (tip.Category == user.PreferredCategory ? PreferenceModel.CategoryLift : 0)
            + PreferenceModel.HourLift / 2;
    }

    /// <summary>
    /// Tastes partly shared: with probability <see cref="PopularShare"/> a user prefers the run's popular
    /// category, otherwise one drawn uniformly. Time of day depends on the category, the same for everyone:
    /// each category has its best hour. The hour lift is larger than the taste lift, so another category at
    /// its best hour beats the user's own far from its best: the optimum needs category × hour.
    /// </summary>
    public sealed class SharedTasteTruth(string popular, IReadOnlyDictionary<string, int> bestHours, string[] categories) : IPopulationTruth
    {
        public const double PopularShare = 0.5;
        public const double BaseRate = 0.05;
        public const double TasteLift = 0.25;
        public const double HourLift = 0.35;

        public string Popular => popular;

        public IReadOnlyDictionary<string, int> BestHours => bestHours;

        public string Name => SharedTaste;

        public static SharedTasteTruth Draw(string[] categories, Random random)
        {
            var popular = categories[random.Next(categories.Length)];
            var bestHours = categories.ToDictionary(c => c, _ => random.Next(24), StringComparer.Ordinal);
            return new SharedTasteTruth(popular, bestHours, categories);
        }

        /// <summary>The user's hour is the best hour of the preferred category (for reports; the truth reads the category's).</summary>
        public SimulatedUser DrawUser(string userId, Random random)
        {
            var category = random.NextDouble() < PopularShare ? popular : categories[random.Next(categories.Length)];
            return new SimulatedUser(userId, category, bestHours[category]);
        }

        public double CompletionProbability(SimulatedUser user, CatalogEntry tip, int hour) =>
            BaseRate
            + (tip.Category == user.PreferredCategory ? TasteLift : 0)
            + HourLift * PreferenceModel.HourCloseness(hour, bestHours[tip.Category]);
    }

    /// <summary>
    /// Tips differ in quality for everyone: a quarter of the catalog (drawn per run) completes with
    /// <see cref="GoodQuality"/>, the rest with a quality drawn uniformly in [<see cref="PoorLow"/>, <see cref="PoorHigh"/>];
    /// a user's own category adds a small <see cref="TasteLift"/>. No time-of-day effect.
    /// </summary>
    public sealed class TipQualityTruth(IReadOnlyDictionary<string, double> quality, string[] categories) : IPopulationTruth
    {
        public const double GoodShare = 0.25;
        public const double GoodQuality = 0.6;
        public const double PoorLow = 0.05;
        public const double PoorHigh = 0.15;
        public const double TasteLift = 0.05;

        public IReadOnlyDictionary<string, double> Quality => quality;

        public string Name => TipQuality;

        public static TipQualityTruth Draw(IReadOnlyList<CatalogEntry> catalog, string[] categories, Random random)
        {
            var shuffled = catalog.Select(t => t.TipId).ToArray();
            random.Shuffle(shuffled);
            var good = (int)Math.Round(shuffled.Length * GoodShare);
            var quality = shuffled.Select((id, i) => (id, q: i < good ? GoodQuality : PoorLow + (PoorHigh - PoorLow) * random.NextDouble()))
                .ToDictionary(p => p.id, p => p.q, StringComparer.Ordinal);
            return new TipQualityTruth(quality, categories);
        }

        public SimulatedUser DrawUser(string userId, Random random) => Uniform(userId, categories, random);

        public double CompletionProbability(SimulatedUser user, CatalogEntry tip, int hour) =>
            quality[tip.TipId] + (tip.Category == user.PreferredCategory ? TasteLift : 0);
    }
}
