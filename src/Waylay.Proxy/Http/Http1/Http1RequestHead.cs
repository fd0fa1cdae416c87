using System.Text;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Http.Http1;

/// <summary>The request-target's form (RFC 9112 §3.2).</summary>
internal enum RequestTargetForm
{
    /// <summary><c>/path?query</c>: the usual form.</summary>
    Origin,

    /// <summary><c>http://host/path</c>: the authority in the target wins over Host (§3.2.2); forward as origin-form.</summary>
    Absolute,

    /// <summary><c>host:port</c>, CONNECT only.</summary>
    Authority,

    /// <summary><c>*</c>, OPTIONS only.</summary>
    Asterisk,
}

/// <summary>
/// One parsed request head, reused for every request of a connection. Method and path are strings (routing needs
/// them); everything else stays bytes in <see cref="Http1Head.Raw"/> until asked for.
/// </summary>
internal sealed class Http1RequestHead : Http1Head, IRequestHeaders
{
    private int _targetStart;
    private int _targetLength;
    private int _authorityStart;
    private int _authorityLength;

    /// <summary>Interned for the registered methods, so GET and friends cost nothing.</summary>
    public string Method { get; internal set; } = "GET";

    public RequestTargetForm TargetForm { get; internal set; }

    /// <summary>The request-target exactly as received.</summary>
    public ReadOnlySpan<byte> Target => Buffer.AsSpan(_targetStart, _targetLength);

    /// <summary>Path and query in origin-form (for absolute-form, the part after the authority, "/" if empty); "*" or the authority for the other forms.</summary>
    public string PathAndQuery { get; internal set; } = "/";

    /// <summary>The authority the request is for: the target's in absolute- and authority-form, else the Host field's.</summary>
    public ReadOnlySpan<byte> Authority => Buffer.AsSpan(_authorityStart, _authorityLength);

    /// <summary>The absolute-form scheme ("http" or "https"), null otherwise.</summary>
    public string? Scheme { get; internal set; }

    /// <summary>A CONNECT request: after a 2xx answer the connection is a tunnel.</summary>
    public bool IsConnect => TargetForm == RequestTargetForm.Authority;

    /// <summary>The protocol asked for by <c>Connection: upgrade</c> + <c>Upgrade: …</c> (e.g. "websocket"); null otherwise or in HTTP/1.0 (RFC 9110 §7.8).</summary>
    public string? Upgrade { get; internal set; }

    /// <summary><c>Expect: 100-continue</c>: the client waits for an interim response before its body.</summary>
    public bool ExpectContinue { get; internal set; }

    string? IRequestHeaders.Get(string lowerCaseName) => GetField(lowerCaseName);

    internal void SetTarget(int start, int length) => (_targetStart, _targetLength) = (start, length);

    internal void SetAuthority(int start, int length) => (_authorityStart, _authorityLength) = (start, length);

    private protected override void ResetDerived()
    {
        Upgrade = null;
        Scheme = null;
        ExpectContinue = false;
        _authorityStart = _authorityLength = 0;
    }

    public override string ToString() => $"{Method} {Encoding.Latin1.GetString(Target)} {(Version == Http1Version.Http11 ? "HTTP/1.1" : "HTTP/1.0")}";
}
