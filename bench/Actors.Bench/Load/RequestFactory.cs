using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Actors.Bench.Load;

/// <summary>
/// Builds the requests of one path. Bodies are assembled from pre-encoded UTF-8 pieces into a
/// buffer the calling worker owns (each worker has one request in flight at a time), so the hot
/// path costs a few memcpys and no JSON serialization. A feedback batch is the same events, comma
/// separated in a JSON array, each taking its own number of the sequence.
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
    private readonly int _batch;
    private readonly int _perUser;

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

    /// <param name="batch">Feedback events per request: 1 sends one JSON object, more a JSON array of them.</param>
    public RequestFactory(
        TargetPath path, Uri baseUrl, int users, bool randomUsers, int seed, IReadOnlyList<string> tipIds, int candidates, string runId, int batch = 1,
        int perUser = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        if (batch > 1 && path != TargetPath.Feedback)
        {
            throw new ArgumentException("Only feedback requests carry a batch of events.", nameof(batch));
        }
        _path = path;
        _batch = batch;
        _perUser = Math.Max(1, perUser);
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
        int feedbackEvent = _feedbackPrefix.Length + Int64Digits + _feedbackUser.Length + Int64Digits + _feedbackTip.Length + maxTip
            + _feedbackKind.Length + 16 + _feedbackSuffix.Length;
        BodyBufferSize = Math.Max(
            _scorePrefix.Length + Int64Digits + _scoreSuffix.Length,
            2 + batch * (feedbackEvent + 1));
    }

    public TargetPath Path => _path;

    /// <summary>Events one request carries: the batch size for feedback, 1 otherwise.</summary>
    public int EventsPerRequest => _batch;

    public Uri Uri => _uri;

    /// <summary>Size of the per-worker buffer that <see cref="Create"/> writes bodies into.</summary>
    public int BodyBufferSize { get; }

    private static string UserId(int user) => UserPrefix + user.ToString(CultureInfo.InvariantCulture);

    /// <summary>Next request in this factory's sequence; the body is written into <paramref name="buffer"/>,
    /// which must not be touched again until the request has completed.</summary>
    public HttpRequestMessage Create(byte[] buffer) => CreateFor(firstUser: -1, NextSequence(), buffer);

    /// <summary>A request for one given user (used by --warm and the preflight); a feedback batch
    /// continues round-robin from that user.</summary>
    public HttpRequestMessage CreateForUser(int user, byte[] buffer) => CreateFor(user, NextSequence(), buffer);

    /// <summary>Reserves one sequence number per event of the request and returns the first.</summary>
    private long NextSequence() => Interlocked.Add(ref s_sequence, _batch) - _batch + 1;

    /// <param name="firstUser">The first event's user, or -1 to pick users by sequence (round-robin or random).</param>
    private HttpRequestMessage CreateFor(int firstUser, long firstSeq, byte[] buffer)
    {
        if (_path == TargetPath.Feedback)
        {
            return Post(buffer, WriteFeedback(buffer, firstUser, firstSeq));
        }

        int user = firstUser >= 0 ? firstUser : UserOf(firstSeq, SplitMix64((ulong)firstSeq + _seed));
        if (_path == TargetPath.Ping)
        {
            return new HttpRequestMessage(HttpMethod.Get, _pingUris is null ? PingUri(user) : _pingUris[user]);
        }
        return Post(buffer, WriteScore(buffer, user));
    }

    private HttpRequestMessage Post(byte[] buffer, int length)
    {
        var content = new ByteArrayContent(buffer, 0, length);
        content.Headers.ContentType = JsonContentType;
        return new HttpRequestMessage(HttpMethod.Post, _uri) { Content = content };
    }

    private int UserOf(long seq, ulong mix) => _randomUsers ? (int)(mix % (ulong)_users) : (int)(seq % _users);

    private int WriteScore(byte[] buffer, int user)
    {
        int pos = 0;
        Append(buffer, ref pos, _scorePrefix);
        AppendInt(buffer, ref pos, user);
        Append(buffer, ref pos, _scoreSuffix);
        return pos;
    }

    /// <summary>One event object, or with a batch a JSON array of events that each take the next sequence number.</summary>
    private int WriteFeedback(byte[] buffer, int firstUser, long firstSeq)
    {
        int pos = 0;
        if (_batch == 1)
        {
            ulong mix = SplitMix64((ulong)firstSeq + _seed);
            WriteFeedbackEvent(buffer, ref pos, firstUser >= 0 ? firstUser : UserOf(firstSeq, mix), firstSeq, mix);
            return pos;
        }

        buffer[pos++] = (byte)'[';
        for (int i = 0; i < _batch; i++)
        {
            if (i > 0)
            {
                buffer[pos++] = (byte)',';
            }
            long seq = firstSeq + i;
            ulong mix = SplitMix64((ulong)seq + _seed);
            int user = firstUser >= 0
                ? (int)((firstUser + (long)i / _perUser) % _users)
                : UserOf(seq / _perUser, SplitMix64((ulong)(seq / _perUser) + _seed));
            WriteFeedbackEvent(buffer, ref pos, user, seq, mix);
        }
        buffer[pos++] = (byte)']';
        return pos;
    }

    private void WriteFeedbackEvent(byte[] buffer, ref int pos, int user, long seq, ulong mix)
    {
        Append(buffer, ref pos, _feedbackPrefix);
        AppendInt(buffer, ref pos, seq);
        Append(buffer, ref pos, _feedbackUser);
        AppendInt(buffer, ref pos, user);
        Append(buffer, ref pos, _feedbackTip);
        Append(buffer, ref pos, _tipJsonStrings[(int)((mix >> 32) % (ulong)_tipJsonStrings.Length)]);
        Append(buffer, ref pos, _feedbackKind);
        Append(buffer, ref pos, FeedbackKinds[(int)((mix >> 8) % (ulong)FeedbackKinds.Length)]);
        Append(buffer, ref pos, _feedbackSuffix);
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
