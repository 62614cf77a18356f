namespace Actors.Grains;

/// <summary>
/// Which of a user's log positions (1, 2, 3, ...) have been applied: everything up to
/// <see cref="Through"/>, plus the few applied ahead of a gap. Events may arrive out of order;
/// this makes each take effect once, and the gaps say what to fetch from the log.
/// </summary>
public sealed class AppliedEvents
{
    private readonly SortedSet<long> _ahead;

    public AppliedEvents(long through = 0, IEnumerable<long>? ahead = null)
    {
        Through = through;
        _ahead = new SortedSet<long>((ahead ?? []).Where(seq => seq > through));
        Compact();
    }

    public long Through { get; private set; }

    public IReadOnlyCollection<long> Ahead => _ahead;

    public bool HasGaps => _ahead.Count > 0;

    public bool Contains(long seq) => seq <= Through || _ahead.Contains(seq);

    public void Add(long seq)
    {
        if (seq <= Through) return;
        _ahead.Add(seq);
        Compact();
    }

    private void Compact()
    {
        while (_ahead.Count > 0 && _ahead.Min == Through + 1)
        {
            _ahead.Remove(_ahead.Min);
            Through++;
        }
    }
}
