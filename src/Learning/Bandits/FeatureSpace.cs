using System.Collections.Concurrent;

namespace Actors.Learning.Bandits;

/// <summary>One non-zero entry of a sparse feature vector; <see cref="Id"/> is interned in a <see cref="FeatureSpace"/>.</summary>
public readonly record struct SparseFeature(int Id, double Value);

/// <summary>
/// Interns feature names to dense process-wide ids so that the hot scoring loop indexes arrays instead
/// of hashing strings. Models persist names, never ids: ids are only stable within one process.
/// </summary>
public sealed class FeatureSpace
{
    public static FeatureSpace Shared { get; } = new();

    private readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private string[] _names = new string[64];
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public int Intern(string name)
    {
        if (_ids.TryGetValue(name, out var id)) return id;
        lock (_gate)
        {
            if (_ids.TryGetValue(name, out id)) return id;
            id = _count;
            if (id == _names.Length) Array.Resize(ref _names, _names.Length * 2);
            _names[id] = name;
            Volatile.Write(ref _count, id + 1);
            _ids[name] = id;
            return id;
        }
    }

    public string NameOf(int id) =>
        (uint)id < (uint)Count ? Volatile.Read(ref _names)[id] : throw new ArgumentOutOfRangeException(nameof(id));
}
