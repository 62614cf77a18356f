namespace Actors.Learning.Profile;

/// <summary>
/// The sufficient statistics behind every profile feature, laid out feature after feature as the
/// registry orders them. Both the incremental path and the SQL path fill it; values are read from it.
/// </summary>
public sealed class ProfileAccumulator
{
    private readonly double[] _slots;

    public ProfileAccumulator() => _slots = new double[ProfileFeatureRegistry.SlotCount];

    private ProfileAccumulator(double[] slots) => _slots = slots;

    public static ProfileAccumulator FromSlots(IReadOnlyList<double> slots)
    {
        if (slots.Count != ProfileFeatureRegistry.SlotCount)
        {
            throw new ArgumentException(
                $"Expected {ProfileFeatureRegistry.SlotCount} slots, got {slots.Count}.", nameof(slots));
        }
        return new ProfileAccumulator(slots.ToArray());
    }

    public IReadOnlyList<double> Slots => _slots;

    /// <summary>Folds an event in, unless it is outside a feature's window as of <paramref name="nowMs"/>.</summary>
    public void Apply(in ProfileEvent e, long nowMs)
    {
        var features = ProfileFeatureRegistry.All;
        for (var i = 0; i < features.Count; i++)
        {
            var feature = features[i];
            if (e.AtMs < nowMs - (long)feature.Window.TotalMilliseconds) continue;
            feature.Accumulate(SlotsOf(i), e);
        }
    }

    /// <summary>Sets one slot of one feature, as the SQL aggregation returns them.</summary>
    public void SetSlot(int featureIndex, int slot, double value)
    {
        var feature = ProfileFeatureRegistry.All[featureIndex];
        if (slot < 0 || slot >= feature.SlotCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(slot), $"Feature {feature.Name} has {feature.SlotCount} slots; the query returned slot {slot}.");
        }
        SlotsOf(featureIndex)[slot] = value;
    }

    /// <summary>Feature values in registry order.</summary>
    public double[] Values()
    {
        var features = ProfileFeatureRegistry.All;
        var values = new double[features.Count];
        for (var i = 0; i < features.Count; i++) values[i] = features[i].Evaluate(SlotsOf(i));
        return values;
    }

    private Span<double> SlotsOf(int featureIndex) =>
        _slots.AsSpan(ProfileFeatureRegistry.SlotOffsets[featureIndex], ProfileFeatureRegistry.All[featureIndex].SlotCount);
}
