using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.Gateway.Apis;

/// <summary>Collects field errors of one request and turns them into a 400 ProblemDetails naming each field.</summary>
public sealed class Validation
{
    public const int MaxIdLength = 128;

    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public void Add(string field, string message)
    {
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
    }

    /// <summary>Checks an identifier: present, 1 to 128 characters, none of them control characters.</summary>
    public bool Id(string field, string? value, bool required = true)
    {
        if (value is null)
        {
            if (required) Add(field, $"{field} is required.");
            return !required;
        }
        if (value.Length == 0 || string.IsNullOrWhiteSpace(value))
        {
            Add(field, $"{field} must not be empty.");
            return false;
        }
        if (value.Length > MaxIdLength)
        {
            Add(field, $"{field} must be at most {MaxIdLength} characters; got {value.Length}.");
            return false;
        }
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                Add(field, $"{field} must contain printable characters only.");
                return false;
            }
        }
        return true;
    }

    public void Finite(string field, double value)
    {
        if (!double.IsFinite(value)) Add(field, $"{field} must be a finite number.");
    }

    public ValidationProblem ToProblem() => TypedResults.ValidationProblem(
        _errors, detail: $"The request has {_errors.Count} invalid field(s): {string.Join(", ", _errors.Keys)}.", title: "Invalid request.");

    /// <summary>A 404 or 409 problem shaped like a validation problem, so clients read the field the same way.</summary>
    public static ProblemHttpResult Problem(int status, string field, string message) => TypedResults.Problem(
        detail: message,
        statusCode: status,
        title: status == StatusCodes.Status404NotFound ? "Not found." : "Conflict.",
        extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    public static ValidationProblem Single(string field, string message)
    {
        var validation = new Validation();
        validation.Add(field, message);
        return validation.ToProblem();
    }
}

/// <summary>Reads a JSON body under the size limit, turning every way it can be wrong into a named 400.</summary>
public static class RequestBody
{
    public static Task<(T? Value, ValidationProblem? Problem)> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, long maxBytes)
        where T : class =>
        ReadAsync(request, maxBytes, body => Parse(body, type));

    /// <summary>
    /// Buffers the whole body (it is bounded by <paramref name="maxBytes"/>) and parses it in one go:
    /// synchronous parsing of a buffered body is cheaper than streaming for requests this small.
    /// </summary>
    public static async Task<(T? Value, ValidationProblem? Problem)> ReadAsync<T>(
        HttpRequest request, long maxBytes, Func<ReadOnlySequence<byte>, T?> parse)
        where T : class
    {
        if (request.HasJsonContentType() is false)
        {
            return (null, Validation.Single("body", "The body must be JSON (Content-Type: application/json)."));
        }

        var reader = request.BodyReader;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(request.HttpContext.RequestAborted);
                var buffer = read.Buffer;
                if (buffer.Length > maxBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    await DrainAsync(reader, request.HttpContext.RequestAborted);
                    return (null, TooLarge(maxBytes));
                }
                if (!read.IsCompleted)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }
                try
                {
                    var value = parse(buffer);
                    return value is null ? (null, Validation.Single("body", "The body must be a JSON value, not null.")) : (value, null);
                }
                catch (JsonException ex)
                {
                    var field = ex.Path is null or "$" ? "body" : ToFieldName(ex.Path);
                    return (null, Validation.Single(field, $"Malformed JSON at {ex.Path ?? "$"}: {FirstSentence(ex.Message)}"));
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(maxBytes));
        }
    }

    /// <summary>
    /// Reads the rest of an oversized body and drops it, so the client, still sending, gets the 400
    /// instead of a reset connection. Kestrel's own limit (a multiple of ours) bounds how much is drained.
    /// </summary>
    private static async Task DrainAsync(System.IO.Pipelines.PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted) return;
        }
    }

    /// <summary>Parses exactly one JSON value; anything after it is malformed input too.</summary>
    public static T? Parse<T>(ReadOnlySequence<byte> body, JsonTypeInfo<T> type)
    {
        var json = new Utf8JsonReader(body);
        var value = JsonSerializer.Deserialize(ref json, type);
        if (json.Read()) throw new JsonException("Unexpected content after the JSON value.", "$", null, null);
        return value;
    }

    /// <summary>The first token of a buffered JSON body: whether it is an object, an array, or something else.</summary>
    public static JsonTokenType FirstToken(ReadOnlySequence<byte> body)
    {
        var json = new Utf8JsonReader(body);
        return json.Read() ? json.TokenType : JsonTokenType.None;
    }

    private static ValidationProblem TooLarge(long maxBytes) =>
        Validation.Single("body", $"The body is larger than the limit of {maxBytes} bytes.");

    /// <summary>"$.candidates[3].features" becomes "candidates[3].features"; "$[2].kind" becomes "[2].kind".</summary>
    private static string ToFieldName(string path) => path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
