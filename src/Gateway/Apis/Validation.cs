using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization.Metadata;
using Actors.Grains.Options;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Actors.Gateway.Apis;

/// <summary>Collects field errors of one request and turns them into a 400 ProblemDetails naming each field.</summary>
public sealed class Validation(LimitsOptions limits)
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    /// <summary>For checks that read no configured limit (admin bodies, policy names): the built-in defaults.</summary>
    public Validation() : this(new LimitsOptions())
    {
    }

    public LimitsOptions Limits { get; } = limits;

    public bool IsValid => _errors.Count == 0;

    public void Add(string field, string message)
    {
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
    }

    /// <summary>
    /// Checks an identifier: present, 1 to Limits:MaxIdLength characters, not blank, and free of control,
    /// format and separator characters (<see cref="InputText.IsClean"/>).
    /// </summary>
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
        return BoundedAndClean(field, value, Limits.MaxIdLength, "Limits:MaxIdLength");
    }

    /// <summary>
    /// A user id is an <see cref="Id"/> that can also be read back through /users/{user_id}/...: no '/', which
    /// a path segment cannot carry, and not "." or "..", which clients and servers remove from paths.
    /// </summary>
    public bool UserId(string field, string? value, bool required = true)
    {
        if (!Id(field, value, required)) return false;
        if (value is null) return true;
        if (!InputText.IsPathSafe(value))
        {
            Add(field, $"{field} must not contain '/' nor be '.' or '..': user ids travel in URL paths (/users/{{user_id}}/profile).");
            return false;
        }
        return true;
    }

    /// <summary>Checks a free text (a tip's text): present, not blank, bounded, no control or format characters.</summary>
    public bool Text(string field, string? value, int maxLength, string limitName)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, $"{field} is required.");
            return false;
        }
        return BoundedAndClean(field, value, maxLength, limitName);
    }

    private bool BoundedAndClean(string field, string value, int maxLength, string limitName)
    {
        if (value.Length > maxLength)
        {
            Add(field, $"{field} must be at most {maxLength} characters ({limitName}); got {value.Length}.");
            return false;
        }
        if (!InputText.IsClean(value))
        {
            Add(field, $"{field} must not contain control, format or line-separator characters ({InputText.RefusedCategories}).");
            return false;
        }
        return true;
    }

    /// <summary>
    /// A category or feature name: a slug of a-z, 0-9, '-', '_', '.', at most Limits:MaxNameLength long. They
    /// name dimensions of every user's model, so they are kept tidy and bounded.
    /// </summary>
    public bool Slug(string field, string? value)
    {
        if (value is null || !InputText.IsSlug(value, Limits.MaxNameLength))
        {
            Add(field, $"{field} must be 1 to {Limits.MaxNameLength} characters (Limits:MaxNameLength) of a-z, 0-9, '-', '_' or '.'" +
                (value is null ? "." : $"; got '{InputText.Excerpt(value)}'."));
            return false;
        }
        return true;
    }

    /// <summary>
    /// A tip's numeric features: at most Limits:MaxFeaturesPerTip, each named by a slug, each finite and within
    /// [-Limits:MaxFeatureValue, Limits:MaxFeatureValue]. A value such as 1e154 is finite, but two updates with
    /// it overflow the model's matrix.
    /// </summary>
    public void TipFeatures(string field, Dictionary<string, double>? features)
    {
        if (features is null) return;
        if (features.Count > Limits.MaxFeaturesPerTip)
        {
            Add(field, $"{field} holds {features.Count} features; at most {Limits.MaxFeaturesPerTip} features per tip (Limits:MaxFeaturesPerTip).");
            return;
        }
        var max = Limits.MaxFeatureValue;
        foreach (var (name, value) in features)
        {
            if (!Slug($"{field}.{InputText.Excerpt(name)}", name)) continue;
            if (!double.IsFinite(value)) Add($"{field}.{name}", $"{field}.{name} must be a finite number.");
            else if (Math.Abs(value) > max) Add($"{field}.{name}", $"{field}.{name} must lie in [-{max}, {max}] (Limits:MaxFeatureValue); got {value}.");
        }
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
                    return (null, Validation.Single(field, $"Malformed JSON at {ex.Path ?? "$"}: {JsonErrors.Describe(ex)}"));
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
}

/// <summary>
/// Says what is wrong with a body System.Text.Json refused, in the terms of JSON rather than of .NET: its
/// messages name the service's types ("could not be converted to Actors.Gateway.Json.ScoreContext",
/// "could not be mapped to any .NET member contained in type …"), which tell a caller how the service is built
/// and nothing about what to send. Messages are matched by their wording: the exception carries no error code.
/// </summary>
public static partial class JsonErrors
{
    public static string Describe(JsonException exception)
    {
        var message = exception.Message;
        // The type it names is not even the field's own for constructor-bound records, so it says nothing useful.
        if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            return "the value has the wrong JSON type for this field; /openapi/v1.json describes the body.";
        }
        if (UnmappedProperty().Match(message) is { Success: true } unmapped)
        {
            return $"'{InputText.Excerpt(unmapped.Groups["name"].Value)}' is not a known field.";
        }
        var first = FirstSentence(message);
        return DotNetName().IsMatch(first) ? "the value is not valid here." : first;
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    [GeneratedRegex(@"The JSON property '(?<name>.*)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    /// <summary>A namespace-qualified .NET name (System.Int32, Actors.Gateway.Json.ScoreRequest) or the word .NET.</summary>
    [GeneratedRegex(@"\.NET|\b(System|Actors|Microsoft|Orleans)\.[A-Za-z]")]
    private static partial Regex DotNetName();
}
