namespace Actors.Grains;

public static class StorageNames
{
    /// <summary>The grain storage provider that holds profile and bandit snapshots.</summary>
    public const string Grains = "actors";
}
