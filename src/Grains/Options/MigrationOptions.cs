using System.ComponentModel.DataAnnotations;

namespace Actors.Grains.Options;

/// <summary>Section "Migrations": how an admin migration run (POST /admin/migrations) walks the stored users.</summary>
public sealed class MigrationOptions
{
    public const string Section = "Migrations";

    /// <summary>Users migrated at once; each one activates two grains and may write two snapshots.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 4;

    /// <summary>Failures a run lists (with their user); it counts every one.</summary>
    [Range(0, 1000)]
    public int MaxErrors { get; set; } = 20;
}
