using System.ComponentModel.DataAnnotations;

namespace Actors.Silo.EventStore;

/// <summary>Section "EventStore": group commit of the event and decision logs.</summary>
public sealed class EventStoreOptions
{
    public const string Section = "EventStore";

    /// <summary>Most writes one transaction takes; a batch is whatever is queued when the last commit ends.</summary>
    [Range(1, 100_000)]
    public int MaxBatch { get; set; } = 4096;

    /// <summary>
    /// SQLite's synchronous setting for the log. FULL syncs the WAL at each commit: an acknowledged event
    /// survives a power cut. NORMAL survives a crash of the process (kill -9) but not of the machine.
    /// </summary>
    [AllowedValues("FULL", "NORMAL")]
    public string Synchronous { get; set; } = "FULL";
}
