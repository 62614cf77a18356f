using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Actors.Bench.Load;

/// <summary>
/// Builds the requests of one path. Bodies are assembled from pre-encoded UTF-8 pieces into a
/// buffer the calling worker owns (each worker has one request in flight at a time), so the hot
/// path costs a few memcpys and no JSON serialization.
/// </summary>
public sealed class RequestFactory
{
    private const string UserPrefix = "bench-u-";
    private const int MaxPrecomputedPingUris = 100_000;
    private const int Int64Digits = 20;

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    // Mostly views, as real traffic would be; the mix only has to exercise every kind.
    private static readonly byte[][] FeedbackKinds =
    [
        "view"u8.ToArray(), "view"u8.ToArray(), "view"u8.ToArray(), "complete"u8.ToArray(), "dismiss"u8.ToArray(),
    ];

    private readonly TargetPath _path;
    private readonly Uri _uri;
    private readonly int _users;
    private readonly bool _randomUsers;
    private readonly ulong _seed;

    // score: {"user_id":"bench-u-<i>","candidates":[...],"context":{"hour":9}}
    private readonly byte[] _scorePrefix = Encoding.UTF8.GetBytes("{\"user_id\":\"" + UserPrefix);
    private readonly byte[] _scoreSuffix;

    // feedback: {"event_id":"<run>-<seq>","user_id":"bench-u-<i>","tip_id":"<tip>","kind":"<kind>","dwell_ms":1200}
    private readonly byte[] _feedbackPrefix;
    private readonly byte[] _feedbackUser = Encoding.UTF8.GetBytes("\",\"user_id\":\"" + UserPrefix);
    private readonly byte[] _feedbackTip = "\",\"tip_id\":"u8.ToArray();
    private readonly byte[] _feedbackKind = ",\"kind\":\""u8.ToArray();
    private readonly byte[] _feedbackSuffix = "\",\"dwell_ms\":1200}"u8.ToArray();
    private readonly byte[][] _tipJsonStrings;

    private readonly Uri[]? _pingUris;

    // Process-wide so event_ids stay unique when a path gets a second factory (compare's half-rate pass).
    private static long s_sequence;

    public RequestFactory(TargetPath path, Uri baseUrl, int users, bool randomUsers, int seed, IReadOnlyList<string> tipIds, int candidates, string runId)
    {
        _path = path;
        _uri = new Uri(baseUrl, path.Route());
        _users = users;
        _randomUsers = randomUsers;
        _seed = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL;
        _tipJsonStrings = new byte[tipIds.Count][];
        for (int i = 0; i < tipIds.Count; i++)
        {
            _tipJsonStrings[i] = JsonString(tipIds[i]);
        }

        var suffix = new StringBuilder("\",\"candidates\":[");
        for (int i = 0; i < candidates && tipIds.Count > 0; i++)
        {
            if (i > 0)
            {
                suffix.Append(',');
            }
            suffix.Append(Encoding.UTF8.GetString(_tipJsonStrings[i % tipIds.Count]));
        }
        suffix.Append("],\"context\":{\"hour\":9}}");
        _scoreSuffix = Encoding.UTF8.GetBytes(suffix.ToString());
        _feedbackPrefix = Encoding.UTF8.GetBytes("{\"event_id\":\"" + runId + "-");

        if (path == TargetPath.Ping && users <= MaxPrecomputedPingUris)
        {
            _pingUris = new Uri[users];
            for (int i = 0; i < users; i++)
            {
                _pingUris[i] = PingUri(i);
            }
        }

        int maxTip = 0;
        foreach (byte[] tip in _tipJsonStrings)
        {
            maxTip = Math.Max(maxTip, tip.Length);
        }
        BodyBufferSize = Math.Max(
            _scorePrefix.Length + Int64Digits + _scoreSuffix.Length,
            _feedbackPrefix.Length + Int64Digits + _feedbackUser.Length + Int64Digits + _feedbackTip.Length + maxTip
                + _feedbackKind.Length + 16 + _feedbackSuffix.Length);
    }

    public TargetPath Path => _path;

    public Uri Uri => _uri;

    /// <summary>Size of the per-worker buffer that <see cref="Create"/> writes bodies into.</summary>
    public int BodyBufferSize { get; }

    private static string UserId(int user) => UserPrefix + user.ToString(CultureInfo.InvariantCulture);

    /// <summary>Next request in this factory's sequence; the body is written into <paramref name="buffer"/>,
    /// which must not be touched again until the request has completed.</summary>
    public HttpRequestMessage Create(byte[] buffer)
    {
        long seq = Interlocked.Increment(ref s_sequence);
        ulong mix = SplitMix64((ulong)seq + _seed);
        int user = _randomUsers ? (int)(mix % (ulong)_users) : (int)(seq % _users);
        return CreateFor(user, seq, mix, buffer);
    }

    /// <summary>A request for one given user (used by --warm and the preflight).</summary>
    public HttpRequestMessage CreateForUser(int user, byte[] buffer)
    {
        long seq = Interlocked.Increment(ref s_sequence);
        return CreateFor(user, seq, SplitMix64((ulong)seq + _seed), buffer);
    }

    private HttpRequestMessage CreateFor(int user, long seq, ulong mix, byte[] buffer)
    {
        if (_path == TargetPath.Ping)
        {
            return new HttpRequestMessage(HttpMethod.Get, _pingUris is null ? PingUri(user) : _pingUris[user]);
        }

        int length = _path == TargetPath.Feedback
            ? WriteFeedback(buffer, user, seq, mix)
            : WriteScore(buffer, user);
        var content = new ByteArrayContent(buffer, 0, length);
        content.Headers.ContentType = JsonContentType;
        return new HttpRequestMessage(HttpMethod.Post, _uri) { Content = content };
    }

    private int WriteScore(byte[] buffer, int user)
    {
        int pos = 0;
        Append(buffer, ref pos, _scorePrefix);
        AppendInt(buffer, ref pos, user);
        Append(buffer, ref pos, _scoreSuffix);
        return pos;
    }

    private int WriteFeedback(byte[] buffer, int user, long seq, ulong mix)
    {
        int pos = 0;
        Append(buffer, ref pos, _feedbackPrefix);
        AppendInt(buffer, ref pos, seq);
        Append(buffer, ref pos, _feedbackUser);
        AppendInt(buffer, ref pos, user);
        Append(buffer, ref pos, _feedbackTip);
        Append(buffer, ref pos, _tipJsonStrings[(int)((mix >> 32) % (ulong)_tipJsonStrings.Length)]);
        Append(buffer, ref pos, _feedbackKind);
        Append(buffer, ref pos, FeedbackKinds[(int)((mix >> 8) % (ulong)FeedbackKinds.Length)]);
        Append(buffer, ref pos, _feedbackSuffix);
        return pos;
    }

    private Uri PingUri(int user) => new(_uri, "?user_id=" + UserId(user));

    private static void Append(byte[] buffer, ref int pos, byte[] bytes)
    {
        bytes.CopyTo(buffer, pos);
        pos += bytes.Length;
    }

    private static void AppendInt(byte[] buffer, ref int pos, long value)
    {
        value.TryFormat(buffer.AsSpan(pos), out int written, default, CultureInfo.InvariantCulture);
        pos += written;
    }

    /// <summary>A JSON string literal, quotes included, escaped by System.Text.Json.</summary>
    private static byte[] JsonString(string value)
    {
        ReadOnlySpan<byte> escaped = JsonEncodedText.Encode(value).EncodedUtf8Bytes;
        byte[] result = new byte[escaped.Length + 2];
        result[0] = (byte)'"';
        escaped.CopyTo(result.AsSpan(1));
        result[^1] = (byte)'"';
        return result;
    }

    /// <summary>Cheap, well-mixed, deterministic per-request randomness with no shared Random.</summary>
    private static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
