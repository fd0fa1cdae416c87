using System.Threading.Channels;
using Waylay.Discovery.V1;

namespace Waylay.Control.Discovery;

/// <summary>
/// One proxy's stream as <c>/debug/syncz</c> shows it (istiod's <c>syncz</c>): who it is and, per type, what was
/// last sent (version, nonce), what it ACKed, and its last NACK with the proxy's error.
/// </summary>
internal sealed class ProxyConnection(Node node, string peer, DateTimeOffset connected)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TypeState> _types = new(StringComparer.Ordinal);

    public Node Node { get; } = node;

    public string Peer { get; } = peer;

    public DateTimeOffset Connected { get; } = connected;

    /// <summary>Wakes the stream's one writer; a full channel already means "look again", so writes never wait.</summary>
    public Channel<bool> Wake { get; } = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public string Id => Node.Id;

    public void Subscribe(string type)
    {
        lock (_lock)
        {
            _types.TryAdd(type, new TypeState());
        }

        Wake.Writer.TryWrite(true);
    }

    /// <summary>The subscribed types whose sent version differs from the snapshot's.</summary>
    public List<string> Stale(IReadOnlyDictionary<string, long> versions)
    {
        lock (_lock)
        {
            return [.. _types.Where(t => versions.TryGetValue(t.Key, out var v) && t.Value.SentVersion != v).Select(t => t.Key)];
        }
    }

    /// <summary>Records a response; true when it replaced an earlier one on this stream (a push, not the first send).</summary>
    public bool Sent(string type, long version, string nonce, DateTimeOffset at)
    {
        lock (_lock)
        {
            var state = _types[type];
            var push = state.SentVersion >= 0;
            (state.SentVersion, state.SentNonce, state.SentAt) = (version, nonce, at);
            return push;
        }
    }

    /// <summary>An ACK or NACK of <paramref name="nonce"/>; a stale nonce (a response superseded before the answer came) is ignored.</summary>
    public bool Answer(string type, string nonce, string version, string? error)
    {
        lock (_lock)
        {
            if (!_types.TryGetValue(type, out var state) || state.SentNonce != nonce)
            {
                return false;
            }

            if (error is null)
            {
                state.AckedVersion = version;
            }
            else
            {
                (state.NackedVersion, state.NackError) = (state.SentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), error);
            }

            return true;
        }
    }

    public IReadOnlyDictionary<string, TypeState> Types()
    {
        lock (_lock)
        {
            return _types.ToDictionary(t => t.Key, t => t.Value with { }, StringComparer.Ordinal);
        }
    }

    internal sealed record TypeState
    {
        public long SentVersion { get; set; } = -1;

        public string SentNonce { get; set; } = "";

        public DateTimeOffset? SentAt { get; set; }

        public string AckedVersion { get; set; } = "";

        public string? NackedVersion { get; set; }

        public string? NackError { get; set; }
    }
}
