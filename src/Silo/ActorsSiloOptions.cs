using System.ComponentModel.DataAnnotations;

namespace Actors.Silo;

/// <summary>Section "Storage": where the embedded default keeps its files.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The environment variable that overrides <see cref="DataDirectory"/>.</summary>
    public const string DataDirectoryVariable = "ACTORS_DATA_DIR";

    /// <summary>Directory of actors.db (events, decisions, catalog) and grains.db (grain snapshots); relative to the working directory.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// VACUUM grains.db after each user's erasure, so the deleted grain state leaves no bytes in free space. It
    /// rewrites the whole file (writes of grain state wait meanwhile): turn it off for a large grains.db and vacuum
    /// on your own schedule.
    /// </summary>
    public bool VacuumGrainsOnErase { get; set; } = true;

    public string EventDatabasePath => Path.Combine(Path.GetFullPath(DataDirectory), "actors.db");

    public string GrainDatabasePath => Path.Combine(Path.GetFullPath(DataDirectory), "grains.db");
}

/// <summary>Section "Orleans": cluster identity and the silo's ports.</summary>
public sealed class OrleansOptions
{
    public const string Section = "Orleans";

    [Required]
    public string ClusterId { get; set; } = "actors-dev";

    [Required]
    public string ServiceId { get; set; } = "actors";

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    public bool Dashboard { get; set; } = true;
}
