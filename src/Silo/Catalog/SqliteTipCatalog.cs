using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Actors.Abstractions;
using Actors.Grains.Options;
using Actors.Grains.Services;
using Actors.Silo.EventStore;
using Actors.Silo.Storage;
using Microsoft.Data.Sqlite;

namespace Actors.Silo.Catalog;

/// <summary>
/// The tip catalog: all of it in memory for lookups on the scoring path, written through to SQLite.
/// Seeded from an embedded file the first time the table is empty. Writes enforce the catalog's integrity
/// (seed and generated tips are not replaced) and its size (Limits:MaxCatalogTips, Limits:MaxCategories).
/// </summary>
public sealed class SqliteTipCatalog : ITipCatalog
{
    private readonly string _connectionString;
    private readonly ConcurrentDictionary<string, CatalogTip> _tips = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly TimeProvider _time;
    private readonly LimitsOptions _limits;

    /// <summary>Tips per category, for the category limit; changed only under the write gate.</summary>
    private readonly Dictionary<string, int> _categoryCounts = new(StringComparer.Ordinal);

    /// <summary>The tips in id order, rebuilt after a write: GET /tips pages through it.</summary>
    private volatile CatalogTip[] _ordered = [];

    public SqliteTipCatalog(string databasePath, TimeProvider time, LimitsOptions limits)
    {
        _time = time;
        _limits = limits;
        _connectionString = SqlResources.ConnectionString(databasePath);
        SqliteEventStore.EnsureSchema(databasePath);
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        if (Count(connection) == 0) Seed(connection);
        Load(connection);
        foreach (var tip in _tips.Values) Count(tip.Category, +1);
        _ordered = Ordered();
    }

    public bool TryGet(string tipId, out CatalogTip tip) => _tips.TryGetValue(tipId, out tip!);

    public bool TryGet(ReadOnlySpan<char> tipId, out CatalogTip tip) =>
        _tips.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(tipId, out tip!);

    public IReadOnlyList<CatalogTip> List() => _ordered;

    public async Task<CatalogWrite> UpsertAsync(
        string tipId, string text, string category, Dictionary<string, double> features, string source, string? promptVersion = null)
    {
        // One writer at a time keeps created_at and the in-memory copy consistent with the table.
        await _writeGate.WaitAsync();
        try
        {
            // The table keeps milliseconds; so does the copy in memory, or a restart would change the times.
            var now = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
            var created = !_tips.TryGetValue(tipId, out var existing);
            if (Refusal(existing, category) is { } refused) return new CatalogWrite(refused, existing);
            var tip = new CatalogTip(tipId, text, category, new Dictionary<string, double>(features), source, promptVersion,
                existing?.CreatedAt ?? now, now);
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            Bind(command, tip);
            await command.ExecuteNonQueryAsync();
            _tips[tipId] = tip;
            if (existing is not null) Count(existing.Category, -1);
            Count(category, +1);
            _ordered = Ordered();
            return new CatalogWrite(created ? CatalogWriteOutcome.Created : CatalogWriteOutcome.Replaced, tip);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Why a write must not happen, or null. Runs under the write gate, so the counts are current.</summary>
    private CatalogWriteOutcome? Refusal(CatalogTip? existing, string category)
    {
        if (existing is not null && existing.Source != TipSources.Api) return CatalogWriteOutcome.Protected;
        if (existing is null && _tips.Count >= _limits.MaxCatalogTips) return CatalogWriteOutcome.CatalogFull;
        // Replacing the last tip of a category frees that category's place.
        var freed = existing is not null && existing.Category != category && _categoryCounts[existing.Category] == 1 ? 1 : 0;
        if (!_categoryCounts.ContainsKey(category) && _categoryCounts.Count - freed >= _limits.MaxCategories)
        {
            return CatalogWriteOutcome.TooManyCategories;
        }
        return null;
    }

    private void Count(string category, int change)
    {
        var count = _categoryCounts.GetValueOrDefault(category) + change;
        if (count == 0) _categoryCounts.Remove(category);
        else _categoryCounts[category] = count;
    }

    private CatalogTip[] Ordered() => _tips.Values.OrderBy(t => t.TipId, StringComparer.Ordinal).ToArray();

    private static long Count(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM tips";
        return (long)command.ExecuteScalar()!;
    }

    private void Seed(SqliteConnection connection)
    {
        using var stream = typeof(SqliteTipCatalog).Assembly.GetManifestResourceStream("Actors.Silo.Storage.seed-tips.json")
            ?? throw new InvalidOperationException("The seed catalog is missing from the assembly.");
        var seeds = JsonSerializer.Deserialize<SeedTip[]>(stream, JsonSerializerOptions.Web)
            ?? throw new InvalidOperationException("The seed catalog is empty.");
        var now = DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds());
        using var transaction = connection.BeginTransaction();
        foreach (var seed in seeds)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            Bind(command, new CatalogTip(seed.TipId, seed.Text, seed.Category, seed.Features, TipSources.Seed, null, now, now));
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    private void Load(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT tip_id, text, category, features_json, source, prompt_version, created_at_ms, updated_at_ms FROM tips";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var tip = new CatalogTip(
                TipId: reader.GetString(0),
                Text: reader.GetString(1),
                Category: reader.GetString(2),
                Features: JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(3)) ?? [],
                Source: reader.GetString(4),
                PromptVersion: reader.IsDBNull(5) ? null : reader.GetString(5),
                CreatedAt: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                UpdatedAt: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)));
            _tips[tip.TipId] = tip;
        }
    }

    private static void Bind(SqliteCommand command, CatalogTip tip)
    {
        command.CommandText =
            "INSERT INTO tips (tip_id, text, category, features_json, source, prompt_version, created_at_ms, updated_at_ms) " +
            "VALUES (@tip_id, @text, @category, @features_json, @source, @prompt_version, @created_at_ms, @updated_at_ms) " +
            "ON CONFLICT (tip_id) DO UPDATE SET text = excluded.text, category = excluded.category, features_json = excluded.features_json, " +
            "source = excluded.source, prompt_version = excluded.prompt_version, updated_at_ms = excluded.updated_at_ms";
        command.Parameters.AddWithValue("@tip_id", tip.TipId);
        command.Parameters.AddWithValue("@text", tip.Text);
        command.Parameters.AddWithValue("@category", tip.Category);
        command.Parameters.AddWithValue("@features_json", JsonSerializer.Serialize(tip.Features));
        command.Parameters.AddWithValue("@source", tip.Source);
        command.Parameters.AddWithValue("@prompt_version", (object?)tip.PromptVersion ?? DBNull.Value);
        command.Parameters.AddWithValue("@created_at_ms", tip.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("@updated_at_ms", tip.UpdatedAt.ToUnixTimeMilliseconds());
    }

    private sealed record SeedTip([property: JsonPropertyName("tip_id")] string TipId, string Text, string Category, Dictionary<string, double> Features);
}
