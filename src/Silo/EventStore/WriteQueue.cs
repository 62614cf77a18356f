using System.Collections.Concurrent;

namespace Actors.Silo.EventStore;

/// <summary>
/// Many producers, one consumer thread that takes everything queued at once. Written here rather than
/// using System.Threading.Channels because the unbounded channel takes a lock on every write, which
/// the profile of /score showed contended between request threads and the writer; here a producer
/// only touches a lock-free queue and, when the writer sleeps, wakes it.
/// </summary>
internal sealed class WriteQueue<T>
{
    private readonly ConcurrentQueue<T> _items = new();
    private readonly SemaphoreSlim _wake = new(0);
    private int _consumerSleeping;
    private volatile bool _closed;

    public void Enqueue(T item)
    {
        if (_closed) throw new ObjectDisposedException(nameof(WriteQueue<T>), "The log is closed.");
        _items.Enqueue(item);
        if (Volatile.Read(ref _consumerSleeping) == 1 && Interlocked.Exchange(ref _consumerSleeping, 0) == 1) _wake.Release();
    }

    /// <summary>Blocks until items are queued, then moves up to <paramref name="max"/> of them; false once closed and drained.</summary>
    public bool TakeBatch(List<T> batch, int max)
    {
        batch.Clear();
        while (true)
        {
            while (batch.Count < max && _items.TryDequeue(out var item)) batch.Add(item);
            if (batch.Count > 0) return true;
            if (_closed) return false;

            // Announce the sleep before the last look, so an Enqueue either is seen here or wakes us.
            Interlocked.Exchange(ref _consumerSleeping, 1);
            if (!_items.IsEmpty || _closed)
            {
                Interlocked.Exchange(ref _consumerSleeping, 0);
                continue;
            }
            _wake.Wait();
        }
    }

    public void Close()
    {
        _closed = true;
        _wake.Release();
    }
}
