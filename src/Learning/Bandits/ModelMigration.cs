namespace Actors.Learning.Bandits;

/// <summary>What a migration did to one stored model.</summary>
public sealed record MigrationSummary(int Kept, int Renamed, int Dropped)
{
    public bool Changed => Renamed > 0 || Dropped > 0;
}

/// <summary>
/// Carries a stored ridge model over to another feature configuration by feature name, so changing the
/// feature list resets nobody. Kept and renamed features keep their weights and uncertainty (their rows and
/// columns of A, their entries of b and their prior precision); features the new configuration cannot produce
/// leave the model, which is the model refitted on the same rewards without them (their rows and columns of the
/// data Gram go); features that are new start from the population prior when they first appear.
/// </summary>
public static class ModelMigration
{
    public static (LinUcbState State, MigrationSummary Summary) Migrate(LinUcbState state, BanditFeatureSet to, double lambda)
    {
        var d = state.FeatureNames.Length;
        var keep = new List<int>(d);
        var names = new List<string>(d);
        var taken = new Dictionary<string, int>(StringComparer.Ordinal);
        var dropped = 0;
        for (var i = 0; i < d; i++)
        {
            var name = to.Rename(state.FeatureNames[i]);
            if (!to.Produces(name))
            {
                dropped++;
                continue;
            }
            if (taken.TryGetValue(name, out var other))
            {
                // Two stored features now share a name (a rename onto a feature the model already had): the one
                // that already bore the name stays, since merging two posteriors is not a rename.
                dropped++;
                if (state.FeatureNames[i] != name) continue;
                keep[other] = i;
                continue;
            }
            taken[name] = keep.Count;
            keep.Add(i);
            names.Add(name);
        }

        var n = keep.Count;
        var renamed = Enumerable.Range(0, n).Count(p => names[p] != state.FeatureNames[keep[p]]);
        var a = new double[n * n];
        var b = new double[n];
        var precision = new double[n];
        for (var p = 0; p < n; p++)
        {
            var i = keep[p];
            for (var q = 0; q < n; q++) a[p * n + q] = state.A[i * d + keep[q]];
            b[p] = state.B[i];
            precision[p] = state.PriorPrecision?[i] ?? lambda;
        }
        return (new LinUcbState(names.ToArray(), a, b, state.Updates, precision), new MigrationSummary(n - renamed, renamed, dropped));
    }
}
