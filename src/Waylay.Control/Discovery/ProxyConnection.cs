using System.Threading.Channels;
using Waylay.Control.Registry;
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

    public void Subscribe(string type, bool incremental)
    {
        lock (_lock)
        {
            _types.TryAdd(type, new TypeState { Incremental = incremental });
        }

        Wake.Writer.TryWrite(true);
    }

    /// <summary>The view this proxy was last served from: its scope key and the Sidecar applied (/debug/syncz).</summary>
    public ProxyView? View { get; set; }

    /// <summary>
    /// The subscribed types whose content in the proxy's view differs from what was sent last, each with the snapshot
    /// last sent when the proxy merges (the base of an incremental response), else null (send the whole set). Content,
    /// not version numbers, decides: two views may carry different content under one version.
    /// </summary>
    public List<(string Type, TypeSnapshot? Previous)> Stale(IReadOnlyDictionary<string, TypeSnapshot> view)
    {
        lock (_lock)
        {
            return [.. _types.Where(t => view.TryGetValue(t.Key, out var now) && (t.Value.SentSnapshot is not { } sent || sent.Hash != now.Hash))
                .Select(t => (t.Key, t.Value.Incremental ? t.Value.SentSnapshot : null))];
        }
    }

    /// <summary>Records a response; true when it replaced an earlier one on this stream (a push, not the first send).</summary>
    public bool Sent(string type, TypeSnapshot content, PushFrame frame, DateTimeOffset at)
    {
        lock (_lock)
        {
            var state = _types[type];
            var push = state.SentVersion >= 0;
            state.Pushes += push ? 1 : 0;
            (state.SentVersion, state.SentNonce, state.SentAt, state.SentSnapshot) = (content.Version, frame.Header.Nonce, at, content);
            (state.SentIncremental, state.SentResources, state.SentBytes, state.SentRemoved) = (frame.Header.Incremental, frame.Resources.Count, frame.Bytes, frame.Resources.Removed.Count);
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
                if (state.SentIncremental)
                {
                    // The proxy kept its last good set, which is not the base the next change would be computed from:
                    // send the whole current set again (once; a refused whole set is not resent, as before).
                    (state.SentVersion, state.SentSnapshot) = (-1, null);
                    Wake.Writer.TryWrite(true);
                }
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

        /// <summary>The proxy merges incremental responses (it said so when it subscribed).</summary>
        public bool Incremental { get; init; }

        /// <summary>The version last sent, the base of the next incremental response.</summary>
        public TypeSnapshot? SentSnapshot { get; set; }

        public bool SentIncremental { get; set; }

        public int SentResources { get; set; }

        public long SentBytes { get; set; }

        public int SentRemoved { get; set; }

        /// <summary>Responses after the first on this stream: the changes pushed to this proxy.</summary>
        public int Pushes { get; set; }
    }
}
