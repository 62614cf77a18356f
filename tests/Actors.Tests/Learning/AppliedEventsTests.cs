using System.Globalization;
using Actors.Grains;

namespace Actors.Tests.Learning;

public sealed class AppliedEventsTests
{
    /// <summary>Adds positions in the given order; expects Through and the positions applied ahead of a gap.</summary>
    [Theory]
    [InlineData("", 0, "")]
    [InlineData("1,2,3,4,5", 5, "")]
    [InlineData("2", 0, "2")]
    [InlineData("3,2", 0, "2,3")]
    [InlineData("3,2,1", 3, "")]
    [InlineData("1,3,5", 1, "3,5")]
    [InlineData("1,3,5,2", 3, "5")]
    [InlineData("1,3,5,2,4", 5, "")]
    [InlineData("5,4,3,2,1,6", 6, "")]
    [InlineData("1,1,1", 1, "")]
    [InlineData("2,2,1,1,2", 2, "")]
    [InlineData("4,4,1", 1, "4")]
    [InlineData("1,2,0,-3,2,1", 2, "")]
    [InlineData("10,1,2,3", 3, "10")]
    public void Add_tracks_through_and_ahead(string adds, long through, string ahead)
    {
        var applied = new AppliedEvents();
        foreach (var seq in Parse(adds)) applied.Add(seq);

        Assert.Equal(through, applied.Through);
        Assert.Equal(Parse(ahead), applied.Ahead);
        Assert.Equal(Parse(ahead).Length > 0, applied.HasGaps);
    }

    [Fact]
    public void Contains_answers_for_through_ahead_and_gaps()
    {
        var applied = new AppliedEvents();
        foreach (var seq in new long[] { 1, 2, 5, 7 }) applied.Add(seq);

        Assert.Equal(2, applied.Through);
        Assert.True(applied.Contains(1));
        Assert.True(applied.Contains(2));
        Assert.False(applied.Contains(3));
        Assert.False(applied.Contains(4));
        Assert.True(applied.Contains(5));
        Assert.False(applied.Contains(6));
        Assert.True(applied.Contains(7));
        Assert.False(applied.Contains(8));
        Assert.True(applied.HasGaps);

        applied.Add(3);
        applied.Add(4);
        applied.Add(6);

        Assert.Equal(7, applied.Through);
        Assert.False(applied.HasGaps);
        Assert.Empty(applied.Ahead);
        Assert.True(applied.Contains(6));
    }

    [Theory]
    [InlineData(0, "", 0, "")]
    [InlineData(7, "", 7, "")]
    [InlineData(0, "1,2,3", 3, "")]
    [InlineData(3, "4,5,7", 5, "7")]
    [InlineData(3, "7,5,4", 5, "7")]
    [InlineData(3, "5,6", 3, "5,6")]
    [InlineData(3, "4,4,5", 5, "")]
    [InlineData(10, "12,11,14,13,20", 14, "20")]
    public void Constructing_from_a_snapshot_compacts(long through, string ahead, long expectedThrough, string expectedAhead)
    {
        var applied = new AppliedEvents(through, Parse(ahead));

        Assert.Equal(expectedThrough, applied.Through);
        Assert.Equal(Parse(expectedAhead), applied.Ahead);
        Assert.Equal(Parse(expectedAhead).Length > 0, applied.HasGaps);
    }

    /// <summary>
    /// Add ignores positions at or below Through; a snapshot holding one (or built by hand) must be read the
    /// same way, or the stale entry sits at the front of Ahead forever, blocks compaction and reports a gap.
    /// </summary>
    [Theory]
    [InlineData(5, "3,6", 6, "")]
    [InlineData(5, "5,6,7", 7, "")]
    [InlineData(5, "1,2,8", 5, "8")]
    public void Constructing_ignores_ahead_positions_already_covered(long through, string ahead, long expectedThrough, string expectedAhead)
    {
        var applied = new AppliedEvents(through, Parse(ahead));

        Assert.Equal(expectedThrough, applied.Through);
        Assert.Equal(Parse(expectedAhead), applied.Ahead);
        Assert.Equal(Parse(expectedAhead).Length > 0, applied.HasGaps);
    }

    [Fact]
    public void A_snapshot_round_trips_through_through_and_ahead()
    {
        var random = new Random(3);
        var applied = new AppliedEvents();
        var order = Enumerable.Range(1, 200).Select(i => (long)i).OrderBy(_ => random.Next()).ToArray();
        foreach (var seq in order.Take(150)) applied.Add(seq);

        var restored = new AppliedEvents(applied.Through, applied.Ahead.ToArray());

        Assert.Equal(applied.Through, restored.Through);
        Assert.Equal(applied.Ahead, restored.Ahead);
        for (long seq = 0; seq <= 201; seq++) Assert.Equal(applied.Contains(seq), restored.Contains(seq));
        foreach (var seq in order.Skip(150)) restored.Add(seq);
        Assert.Equal(200, restored.Through);
        Assert.False(restored.HasGaps);
    }

    private static long[] Parse(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
}
