using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Actors.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Actors.Tests.Api;

/// <summary>Row counts of the tables in actors.db that requests write to.</summary>
public readonly record struct ValidationRowCounts(long Tips, long EventIds, long TipViews, long TipFeedback, long TipScores);

/// <summary>Reads the service's actors.db read-only, the way an operator would inspect it.</summary>
public static class ValidationDb
{
    /// <summary>
    /// The event store opens its writer connection on first use. Until then actors.db is a WAL database with
    /// no -shm file, which SQLite cannot open read-only; one accepted event makes the service hold it open.
    /// </summary>
    public static async Task WarmUpAsync(ServiceHost host)
    {
        var receipt = await host.PostJsonAsync("/feedback", new { event_id = $"warm-up-{Guid.NewGuid():N}", user_id = "warm-up", tip_id = "sleep-01", kind = "view" });
        Assert.False(receipt.Val<bool>("duplicate"));
    }

    public static ValidationRowCounts Count(string dataDirectory) => new(
        Scalar(dataDirectory, "SELECT COUNT(*) FROM tips"),
        Scalar(dataDirectory, "SELECT COUNT(*) FROM event_ids"),
        Scalar(dataDirectory, "SELECT COUNT(*) FROM tip_views"),
        Scalar(dataDirectory, "SELECT COUNT(*) FROM tip_feedback"),
        Scalar(dataDirectory, "SELECT COUNT(*) FROM tip_scores"));

    public static long Scalar(string dataDirectory, string sql, params (string Name, object Value)[] parameters) =>
        Query(dataDirectory, sql, parameters, command => (long)command.ExecuteScalar()!);

    public static IReadOnlyList<string> Strings(string dataDirectory, string sql, params (string Name, object Value)[] parameters) =>
        Query(dataDirectory, sql, parameters, command =>
        {
            using var reader = command.ExecuteReader();
            var values = new List<string>();
            while (reader.Read()) values.Add(reader.GetString(0));
            return values;
        });

    /// <summary>Runs a query on its own read-only, unpooled connection.</summary>
    private static T Query<T>(string dataDirectory, string sql, (string Name, object Value)[] parameters, Func<SqliteCommand, T> read)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "actors.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return read(command);
    }
}

/// <summary>
/// Every way a request can be wrong gets a 400 problem+json naming the field (a 415 for a non-JSON Content-Type), and writes nothing:
/// no event rows, no decision row, no catalog row.
/// </summary>
public sealed class ValidationTests(SharedHostFixture fixture) : IClassFixture<SharedHostFixture>
{
    private const int OverLimitBytes = 300 * 1024;

    /// <summary>Routing answers a non-JSON Content-Type before any handler runs, as a 415 in the same problem shape.</summary>
    private const HttpStatusCode UnsupportedMediaType = HttpStatusCode.UnsupportedMediaType;

    private static readonly string Tall = new('x', OverLimitBytes);

    private ServiceHost Host => fixture.Host;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A request, built when the test runs (some carry times relative to now), and the field its 400 must name.</summary>
    public sealed record BadRequest(
        HttpMethod Method, string Path, Func<string> Body, string Field, string? ContentType = "application/json", bool Chunked = false,
        HttpStatusCode Status = HttpStatusCode.BadRequest);

    /// <summary>A JSON object of <paramref name="count"/> features with slug names and values in range.</summary>
    private static string Features(int count) => "{" + string.Join(",", Enumerable.Range(0, count).Select(i => $"\"f{i}\": 0.5")) + "}";

    private static string Ids(int count) => string.Join(",", Enumerable.Range(0, count).Select(i => $"\"tip-{i}\""));

    private static string At(TimeSpan fromNow) => DateTimeOffset.UtcNow.Add(fromNow).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");

    private static readonly Dictionary<string, BadRequest> ScoreCases = new()
    {
        ["malformed JSON"] = new(HttpMethod.Post, "/score", () => "this is not json", "body"),
        ["truncated JSON"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s1", "candidates": ["sleep-01" """, "body"),
        ["JSON null body"] = new(HttpMethod.Post, "/score", () => "null", "body"),
        ["wrong content type"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s2", "candidates": ["sleep-01"]}""", "content-type", "text/plain", Status: UnsupportedMediaType),
        ["no content type"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s2", "candidates": ["sleep-01"]}""", "body", null),
        ["missing user_id"] = new(HttpMethod.Post, "/score", () => """{"candidates": ["sleep-01"]}""", "user_id"),
        ["empty user_id"] = new(HttpMethod.Post, "/score", () => """{"user_id": "", "candidates": ["sleep-01"]}""", "user_id"),
        ["blank user_id"] = new(HttpMethod.Post, "/score", () => """{"user_id": "   ", "candidates": ["sleep-01"]}""", "user_id"),
        ["user_id of 129 characters"] = new(HttpMethod.Post, "/score", () => $$"""{"user_id": "{{new string('u', 129)}}", "candidates": ["sleep-01"]}""", "user_id"),
        ["user_id with a control character"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s3\u0007", "candidates": ["sleep-01"]}""", "user_id"),
        ["no candidates"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s4"}""", "candidates"),
        ["null candidates"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s4", "candidates": null}""", "candidates"),
        ["empty candidates"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s5", "candidates": []}""", "candidates"),
        ["201 candidates"] = new(HttpMethod.Post, "/score", () => $$"""{"user_id": "v-s6", "candidates": [{{Ids(201)}}]}""", "candidates"),
        ["unknown catalog id"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s7", "candidates": ["sleep-01", "no-such-tip"]}""", "candidates[1]"),
        ["duplicate catalog candidate"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s8", "candidates": ["sleep-01", "sleep-01"]}""", "candidates[1]"),
        ["duplicate inline candidate"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s8", "candidates": ["sleep-01", {"tip_id": "sleep-01", "category": "sleep"}]}""", "candidates[1].tip_id"),
        ["null candidate"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s8", "candidates": ["sleep-01", null]}""", "candidates[1]"),
        ["inline candidate without category"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s9", "candidates": [{"tip_id": "inline-1", "features": {"effort": 0.5}}]}""", "candidates[0].category"),
        ["inline candidate without tip_id"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s9", "candidates": [{"category": "sleep"}]}""", "candidates[0].tip_id"),
        ["hour 24"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s10", "candidates": ["sleep-01"], "context": {"hour": 24}}""", "context.hour"),
        ["hour -1"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s11", "candidates": ["sleep-01"], "context": {"hour": -1}}""", "context.hour"),
        ["body over the size limit"] = new(HttpMethod.Post, "/score", () => $$"""{"user_id": "{{Tall}}", "candidates": ["sleep-01"]}""", "body"),
        ["body over the size limit, chunked"] = new(HttpMethod.Post, "/score",
            () => $$"""{"user_id": "{{Tall}}", "candidates": ["sleep-01"]}""", "body", Chunked: true),
        ["profile feature overflowing to infinity"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s13", "candidates": ["sleep-01"], "profile_features": {"completion_rate_30d": 1e999}}""", "profile_features.completion_rate_30d"),
        ["profile feature as the string NaN"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s14", "candidates": ["sleep-01"], "profile_features": {"completion_rate_30d": "NaN"}}""", "profile_features.completion_rate_30d"),
        ["profile feature as the string Infinity"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s14", "candidates": ["sleep-01"], "profile_features": {"dismiss_rate_30d": "Infinity"}}""", "profile_features.dismiss_rate_30d"),
        ["unknown profile feature"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s15", "candidates": ["sleep-01"], "profile_features": {"x": 1}}""", "profile_features.x"),
        ["inline candidate feature overflowing to infinity"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s16", "candidates": ["sleep-01", {"tip_id": "inline-2", "category": "music", "features": {"tempo": 1e999}}]}""", "candidates[1].features.tempo"),
        ["inline candidate feature as the string NaN"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s17", "candidates": [{"tip_id": "inline-3", "category": "music", "features": {"tempo": "NaN"}}]}""", "candidates[0].features.tempo"),
        ["inline candidate with an unknown field"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s18", "candidates": [{"tip_id": "inline-4", "category": "music", "colour": "red"}]}""", "candidates[0]"),
        ["inline candidate tip_id not a string"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s19", "candidates": [{"tip_id": 7, "category": "music"}]}""", "candidates[0]"),
        ["candidate neither string nor object"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s20", "candidates": ["sleep-01", 42]}""", "candidates[1]"),
        // Issue 15, points 1, 2 and 8: bounded names, bounded values, clean ids.
        ["inline tip feature of 1.3e154"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s21", "candidates": [{"tip_id": "inline-5", "category": "music", "features": {"effort": 1.3e154}}]}""", "candidates[0].features.effort"),
        ["inline tip feature just past 10"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s21", "candidates": [{"tip_id": "inline-5", "category": "music", "features": {"effort": -10.001}}]}""", "candidates[0].features.effort"),
        ["inline tip with 33 features"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s22", "candidates": [{"tip_id": "inline-6", "category": "music", "features": """ + Features(33) + "}]}", "candidates[0].features"),
        ["inline feature name not a slug"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s23", "candidates": [{"tip_id": "inline-7", "category": "music", "features": {"Effort Level": 0.5}}]}""", "candidates[0].features.Effort Level"),
        ["inline feature name of 65 characters"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s23", "candidates": [{"tip_id": "inline-7", "category": "music", "features": {""" + $"\"{new string('f', 65)}\"" + ": 0.5}}]}",
            $"candidates[0].features.{new string('f', 40)}…"),
        ["inline category of 65 characters"] = new(HttpMethod.Post, "/score",
            () => $$"""{"user_id": "v-s24", "candidates": [{"tip_id": "inline-8", "category": "{{new string('c', 65)}}"}]}""", "candidates[0].category"),
        ["profile completion rate above 1"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s25", "candidates": ["sleep-01"], "profile_features": {"completion_rate_30d": 1.5}}""", "profile_features.completion_rate_30d"),
        ["profile dismiss rate below 0"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s25", "candidates": ["sleep-01"], "profile_features": {"dismiss_rate_30d": -0.1}}""", "profile_features.dismiss_rate_30d"),
        ["profile mean dwell of 1.3e154"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s25", "candidates": ["sleep-01"], "profile_features": {"mean_dwell_ms_30d": 1.3e154}}""", "profile_features.mean_dwell_ms_30d"),
        ["profile preferred hour 24"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s25", "candidates": ["sleep-01"], "profile_features": {"preferred_hour": 24}}""", "profile_features.preferred_hour"),
        ["profile preferred hour 7.5"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s25", "candidates": ["sleep-01"], "profile_features": {"preferred_hour": 7.5}}""", "profile_features.preferred_hour"),
        ["profile volume of 1e10"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s25", "candidates": ["sleep-01"], "profile_features": {"tip_volume_30d": 1e10}}""", "profile_features.tip_volume_30d"),
        ["profile volume of 2.5"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s25", "candidates": ["sleep-01"], "profile_features": {"tip_volume_30d": 2.5}}""", "profile_features.tip_volume_30d"),
        ["user_id with a right-to-left override"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s26\u202Egpj", "candidates": ["sleep-01"]}""", "user_id"),
        ["user_id with a zero-width space"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s26\u200B", "candidates": ["sleep-01"]}""", "user_id"),
        ["user_id with a slash"] = new(HttpMethod.Post, "/score", () => """{"user_id": "v-s27/profile", "candidates": ["sleep-01"]}""", "user_id"),
        ["user_id '..'"] = new(HttpMethod.Post, "/score", () => """{"user_id": "..", "candidates": ["sleep-01"]}""", "user_id"),
        ["inline tip_id with a word joiner"] = new(HttpMethod.Post, "/score",
            () => """{"user_id": "v-s28", "candidates": [{"tip_id": "inline\u2060-9", "category": "music"}]}""", "candidates[0].tip_id"),
    };

    private static readonly Dictionary<string, BadRequest> FeedbackCases = new()
    {
        ["malformed JSON"] = new(HttpMethod.Post, "/feedback", () => "{event_id: v-e0}", "body"),
        ["truncated JSON"] = new(HttpMethod.Post, "/feedback", () => """{"event_id": "v-e0", "user_id": """, "body"),
        ["wrong content type"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e1", "user_id": "v-f1", "tip_id": "sleep-01", "kind": "view"}""", "content-type", "application/x-www-form-urlencoded", Status: UnsupportedMediaType),
        ["missing user_id"] = new(HttpMethod.Post, "/feedback", () => """{"event_id": "v-e2", "tip_id": "sleep-01", "kind": "view"}""", "user_id"),
        ["empty user_id"] = new(HttpMethod.Post, "/feedback", () => """{"event_id": "v-e3", "user_id": "", "tip_id": "sleep-01", "kind": "view"}""", "user_id"),
        ["user_id of 129 characters"] = new(HttpMethod.Post, "/feedback",
            () => $$"""{"event_id": "v-e4", "user_id": "{{new string('u', 129)}}", "tip_id": "sleep-01", "kind": "view"}""", "user_id"),
        ["user_id with a control character"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e5", "user_id": "v-f\n2", "tip_id": "sleep-01", "kind": "view"}""", "user_id"),
        ["missing event_id"] = new(HttpMethod.Post, "/feedback", () => """{"user_id": "v-f3", "tip_id": "sleep-01", "kind": "view"}""", "event_id"),
        ["missing tip_id"] = new(HttpMethod.Post, "/feedback", () => """{"event_id": "v-e6", "user_id": "v-f3", "kind": "view"}""", "tip_id"),
        ["negative dwell_ms"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e7", "user_id": "v-f4", "tip_id": "sleep-01", "kind": "view", "dwell_ms": -1}""", "dwell_ms"),
        ["fractional dwell_ms"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e7b", "user_id": "v-f4", "tip_id": "sleep-01", "kind": "view", "dwell_ms": 1.5}""", "dwell_ms"),
        ["unknown kind"] = new(HttpMethod.Post, "/feedback", () => """{"event_id": "v-e8", "user_id": "v-f5", "tip_id": "sleep-01", "kind": "click"}""", "kind"),
        ["kind in the wrong case"] = new(HttpMethod.Post, "/feedback", () => """{"event_id": "v-e8b", "user_id": "v-f5", "tip_id": "sleep-01", "kind": "View"}""", "kind"),
        ["missing kind"] = new(HttpMethod.Post, "/feedback", () => """{"event_id": "v-e9", "user_id": "v-f5", "tip_id": "sleep-01"}""", "kind"),
        ["at 10 minutes in the future"] = new(HttpMethod.Post, "/feedback",
            () => $$"""{"event_id": "v-e10", "user_id": "v-f6", "tip_id": "sleep-01", "kind": "complete", "at": "{{At(TimeSpan.FromMinutes(10))}}"}""", "at"),
        ["at is 'yesterday'"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e11", "user_id": "v-f7", "tip_id": "sleep-01", "kind": "complete", "at": "yesterday"}""", "at"),
        ["at without an offset"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e12", "user_id": "v-f8", "tip_id": "sleep-01", "kind": "complete", "at": "2026-01-01T10:00:00"}""", "at"),
        ["at as a date only"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e13", "user_id": "v-f8", "tip_id": "sleep-01", "kind": "complete", "at": "2026-01-01"}""", "at"),
        ["at with an impossible month"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e14", "user_id": "v-f8", "tip_id": "sleep-01", "kind": "complete", "at": "2026-13-01T10:00:00Z"}""", "at"),
        ["unknown field"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e15", "user_id": "v-f9", "tip_id": "sleep-01", "kind": "view", "dwell": 5}""", "dwell"),
        ["batch with one bad event"] = new(HttpMethod.Post, "/feedback",
            () => """[{"event_id": "v-e17", "user_id": "v-f11", "tip_id": "sleep-01", "kind": "view"}, {"event_id": "v-e18", "user_id": "v-f11", "tip_id": "sleep-01", "kind": "view", "dwell_ms": -5}]""",
            "[1].dwell_ms"),
        ["empty batch"] = new(HttpMethod.Post, "/feedback", () => "[]", "body"),
        ["dwell_ms over a day"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e19", "user_id": "v-f12", "tip_id": "sleep-01", "kind": "view", "dwell_ms": 86400001}""", "dwell_ms"),
        ["user_id with a BOM"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e20", "user_id": "\uFEFFv-f13", "tip_id": "sleep-01", "kind": "view"}""", "user_id"),
        ["user_id with a slash"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e21", "user_id": "v-f14/x", "tip_id": "sleep-01", "kind": "view"}""", "user_id"),
        ["event_id with a zero-width joiner"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e22\u200D", "user_id": "v-f15", "tip_id": "sleep-01", "kind": "view"}""", "event_id"),
        ["tip_id with a right-to-left override"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e23", "user_id": "v-f15", "tip_id": "sleep\u202E-01", "kind": "view"}""", "tip_id"),
        ["request_id with a line separator"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e24", "user_id": "v-f15", "tip_id": "sleep-01", "kind": "complete", "request_id": "r\u2028x"}""", "request_id"),
        ["request_id with a paragraph separator"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e25", "user_id": "v-f15", "tip_id": "sleep-01", "kind": "complete", "request_id": "r\u2029x"}""", "request_id"),
        ["user_id with an unpaired surrogate"] = new(HttpMethod.Post, "/feedback",
            () => """{"event_id": "v-e26", "user_id": "v-f\uD800", "tip_id": "sleep-01", "kind": "view"}""", "user_id"),
        ["body over the size limit"] = new(HttpMethod.Post, "/feedback",
            () => $$"""{"event_id": "v-e16", "user_id": "v-f10", "tip_id": "{{Tall}}", "kind": "view"}""", "body"),
    };

    private static readonly Dictionary<string, BadRequest> TipCases = new()
    {
        ["missing text"] = new(HttpMethod.Put, "/tips/v-tip-1", () => """{"category": "sleep", "features": {"effort": 0.1}}""", "text"),
        ["blank text"] = new(HttpMethod.Put, "/tips/v-tip-2", () => """{"text": "  ", "category": "sleep"}""", "text"),
        ["category not a slug"] = new(HttpMethod.Put, "/tips/v-tip-3", () => """{"text": "Walk.", "category": "Movement & more"}""", "category"),
        ["missing category"] = new(HttpMethod.Put, "/tips/v-tip-4", () => """{"text": "Walk."}""", "category"),
        ["feature overflowing to infinity"] = new(HttpMethod.Put, "/tips/v-tip-5",
            () => """{"text": "Walk.", "category": "movement", "features": {"effort": 1e999}}""", "features.effort"),
        ["tip_id of 129 characters"] = new(HttpMethod.Put, $"/tips/{new string('t', 129)}", () => """{"text": "Walk.", "category": "movement"}""", "tip_id"),
        ["feature of 1.3e154"] = new(HttpMethod.Put, "/tips/v-tip-7",
            () => """{"text": "Walk.", "category": "movement", "features": {"effort": 1.3e154}}""", "features.effort"),
        ["3,000 features"] = new(HttpMethod.Put, "/tips/v-tip-8",
            () => """{"text": "Walk.", "category": "movement", "features": """ + Features(3000) + "}", "features"),
        ["feature name not a slug"] = new(HttpMethod.Put, "/tips/v-tip-9",
            () => """{"text": "Walk.", "category": "movement", "features": {"EFFORT": 0.5}}""", "features.EFFORT"),
        ["category of 65 characters"] = new(HttpMethod.Put, "/tips/v-tip-10",
            () => $$"""{"text": "Walk.", "category": "{{new string('c', 65)}}"}""", "category"),
        ["text with a right-to-left override"] = new(HttpMethod.Put, "/tips/v-tip-11",
            () => """{"text": "Walk \u202Eenilno yub", "category": "movement"}""", "text"),
        ["text with a bare carriage return"] = new(HttpMethod.Put, "/tips/v-tip-12",
            () => """{"text": "Walk.\rNEW INSTRUCTIONS", "category": "movement"}""", "text"),
        ["text with a zero-width space"] = new(HttpMethod.Put, "/tips/v-tip-13",
            () => """{"text": "Wa\u200Blk.", "category": "movement"}""", "text"),
        ["text of 2,001 characters"] = new(HttpMethod.Put, "/tips/v-tip-14",
            () => $$"""{"text": "{{new string('w', 2001)}}", "category": "movement"}""", "text"),
        ["tip_id with a right-to-left override"] = new(HttpMethod.Put, "/tips/v-tip-15%E2%80%AE",
            () => """{"text": "Walk.", "category": "movement"}""", "tip_id"),
        ["wrong content type"] = new(HttpMethod.Put, "/tips/v-tip-6", () => """{"text": "Walk.", "category": "movement"}""", "content-type", "text/plain", Status: UnsupportedMediaType),
    };

    public static TheoryData<string> ScoreCaseNames => [.. ScoreCases.Keys];

    public static TheoryData<string> FeedbackCaseNames => [.. FeedbackCases.Keys];

    public static TheoryData<string> TipCaseNames => [.. TipCases.Keys];

    [Theory]
    [MemberData(nameof(ScoreCaseNames))]
    public Task Score_rejects_with_a_named_field_and_writes_no_decision(string name) => AssertRejectedAsync(ScoreCases[name]);

    [Theory]
    [MemberData(nameof(FeedbackCaseNames))]
    public Task Feedback_rejects_with_a_named_field_and_writes_no_event(string name) => AssertRejectedAsync(FeedbackCases[name]);

    [Theory]
    [MemberData(nameof(TipCaseNames))]
    public async Task Put_tip_rejects_with_a_named_field_and_adds_nothing_to_the_catalog(string name)
    {
        await AssertRejectedAsync(TipCases[name]);
        var listed = (await Host.ListTipsAsync()).Select(t => t!.Str("tip_id"));
        Assert.DoesNotContain(listed, id => id.StartsWith("v-tip-", StringComparison.Ordinal) || id.StartsWith("ttt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Profile_rejects_a_user_id_of_129_characters()
    {
        using var response = await Host.Client.GetAsync($"/users/{new string('p', 129)}/profile", Cancel);
        await AssertProblemAsync(response, "user_id");
    }

    [Fact]
    public async Task Score_accepts_a_user_id_of_128_characters_and_logs_its_decision()
    {
        var before = ValidationDb.Count(Host.DataDirectory);
        var userId = new string('v', 127) + "a";
        var score = await Host.PostJsonAsync("/score", new { user_id = userId, candidates = new[] { "sleep-01", "focus-01" }, context = new { hour = 23 } });
        Assert.Equal(userId, score.Str("user_id"));
        await BarrierAsync();
        var after = ValidationDb.Count(Host.DataDirectory);
        Assert.Equal(before with { EventIds = before.EventIds + 1, TipViews = before.TipViews + 1, TipScores = before.TipScores + 1 }, after);
        Assert.Equal(1, ValidationDb.Scalar(Host.DataDirectory, "SELECT COUNT(*) FROM tip_scores WHERE user_id = @u", ("@u", userId)));
    }

    [Fact]
    public async Task Score_accepts_hours_0_and_23_and_finite_features()
    {
        foreach (var hour in new[] { 0, 23 })
        {
            await Host.PostJsonAsync("/score", new
            {
                user_id = "v-ok-hours",
                candidates = new object[] { "sleep-01", new { tip_id = "inline-ok", category = "music", features = new { tempo = 0.4 } } },
                context = new { hour },
                profile_features = new { completion_rate_30d = 0.5, preferred_hour = 7 },
            });
        }
        await BarrierAsync();
        Assert.Equal(2, ValidationDb.Scalar(Host.DataDirectory, "SELECT COUNT(*) FROM tip_scores WHERE user_id = 'v-ok-hours'"));
    }

    [Fact]
    public async Task Feedback_accepts_at_4_minutes_in_the_future_and_records_it()
    {
        var before = ValidationDb.Count(Host.DataDirectory);
        var at = DateTimeOffset.UtcNow.AddMinutes(4);
        var receipt = await Host.PostJsonAsync("/feedback", new
        {
            event_id = "v-ok-future", user_id = "v-ok-f", tip_id = "sleep-01", kind = "complete", at = at.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
        });
        Assert.False(receipt.Val<bool>("duplicate"));
        var after = ValidationDb.Count(Host.DataDirectory);
        Assert.Equal(before with { EventIds = before.EventIds + 1, TipFeedback = before.TipFeedback + 1 }, after);
        Assert.Equal(at.ToUnixTimeMilliseconds(),
            ValidationDb.Scalar(Host.DataDirectory, "SELECT at_ms FROM tip_feedback WHERE event_id = 'v-ok-future'"));
    }

    [Fact]
    public async Task Feedback_accepts_an_RFC_3339_offset_and_stores_the_instant_in_UTC()
    {
        await Host.PostJsonAsync("/feedback", new
        {
            event_id = "v-ok-offset", user_id = "v-ok-f2", tip_id = "sleep-01", kind = "view", dwell_ms = 0, at = "2026-01-01T10:30:00+02:00",
        });
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 8, 30, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(),
            ValidationDb.Scalar(Host.DataDirectory, "SELECT at_ms FROM tip_views WHERE event_id = 'v-ok-offset'"));
    }

    [Theory]
    [InlineData("2026-01-01T10:30:00.123456789Z")]
    [InlineData("2026-01-01t10:30:00.123z")]
    [InlineData("2026-01-01 10:30:00.123Z")]
    [InlineData("2026-01-01T05:30:00.123-05:00")]
    public async Task Feedback_accepts_RFC_3339_forms_of_the_same_instant(string at)
    {
        var eventId = $"v-ok-rfc-{Guid.NewGuid():N}";
        var receipt = await Host.PostJsonAsync("/feedback", new { event_id = eventId, user_id = "v-ok-f3", tip_id = "sleep-01", kind = "dismiss", at });
        Assert.False(receipt.Val<bool>("duplicate"));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 10, 30, 0, 123, TimeSpan.Zero).ToUnixTimeMilliseconds(),
            ValidationDb.Scalar(Host.DataDirectory, "SELECT at_ms FROM tip_feedback WHERE event_id = @id", ("@id", eventId)));
    }

    /// <summary>Sends the request, proves the 400, then proves nothing reached actors.db.</summary>
    private async Task AssertRejectedAsync(BadRequest bad)
    {
        var before = ValidationDb.Count(Host.DataDirectory);
        using (var response = await SendAsync(bad))
        {
            await AssertProblemAsync(response, bad.Field, bad.Status);
        }
        await BarrierAsync();
        var after = ValidationDb.Count(Host.DataDirectory);
        // The barrier itself is one view event; nothing else may have been added.
        Assert.Equal(before with { EventIds = before.EventIds + 1, TipViews = before.TipViews + 1 }, after);
    }

    private async Task<HttpResponseMessage> SendAsync(BadRequest bad)
    {
        var bytes = Encoding.UTF8.GetBytes(bad.Body());
        HttpContent content = bad.Chunked ? new StreamContent(new MemoryStream(bytes)) : new ByteArrayContent(bytes);
        content.Headers.ContentType = bad.ContentType is null ? null : MediaTypeHeaderValue.Parse(bad.ContentType);
        using var request = new HttpRequestMessage(bad.Method, bad.Path) { Content = content };
        if (bad.Chunked) request.Headers.TransferEncodingChunked = true;
        return await Host.Client.SendAsync(request, Cancel);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, string field, HttpStatusCode status = HttpStatusCode.BadRequest)
    {
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {Shorten(text)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(text)?["errors"]?.AsObject();
        Assert.NotNull(errors);
        Assert.True(errors.ContainsKey(field), $"errors names {string.Join(", ", errors.Select(e => e.Key))}, not {field}: {Shorten(text)}");
        Assert.NotEmpty(errors[field]!.AsArray());
    }

    /// <summary>
    /// A valid event from a user of its own. The log is one FIFO queue and /feedback answers once its event
    /// is committed, so any decision or event queued before it is committed by then too.
    /// </summary>
    private async Task BarrierAsync()
    {
        var receipt = await Host.PostJsonAsync("/feedback", new { event_id = $"barrier-{Guid.NewGuid():N}", user_id = "v-barrier", tip_id = "sleep-01", kind = "view" });
        Assert.False(receipt.Val<bool>("duplicate"));
    }

    private static string Shorten(string text) => text.Length <= 600 ? text : text[..600] + "…";
}
