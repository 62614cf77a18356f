namespace Actors.Learning.Profile;

/// <summary>The stored and wire names of event kinds.</summary>
public static class EventKinds
{
    public static string Name(EventKind kind) => kind switch
    {
        EventKind.View => "view",
        EventKind.Complete => "complete",
        EventKind.Dismiss => "dismiss",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static EventKind Parse(string name) => TryParse(name, out var kind)
        ? kind
        : throw new FormatException($"Unknown event kind '{name}'.");

    public static bool TryParse(string? name, out EventKind kind)
    {
        switch (name)
        {
            case "view": kind = EventKind.View; return true;
            case "complete": kind = EventKind.Complete; return true;
            case "dismiss": kind = EventKind.Dismiss; return true;
            default: kind = default; return false;
        }
    }
}
