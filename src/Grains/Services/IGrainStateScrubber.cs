namespace Actors.Grains.Services;

/// <summary>Leaves no bytes of deleted grain state behind in the grain-state store's files.</summary>
public interface IGrainStateScrubber
{
    /// <summary>Completes once every grain state deleted before the call is gone from the files, free space included.</summary>
    Task ScrubAsync();
}
