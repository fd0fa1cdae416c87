namespace Waylay.Proxy.Http.Http1;

/// <summary>The fields the parser itself must understand, recognised once per field while parsing.</summary>
internal enum KnownField : byte
{
    Other,
    Host,
    ContentLength,
    TransferEncoding,
    Connection,
    Upgrade,
    KeepAlive,
    ProxyConnection,
    TE,
    Trailer,
    Expect,

    /// <summary><c>content_length</c> or <c>transfer_encoding</c>: servers that map '_' to '-' (CGI, some frameworks) would read a framing field the proxy did not.</summary>
    UnderscoreFraming,
}

internal static class KnownFields
{
    public static KnownField Classify(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 when HttpChars.EqualsIgnoreCase(name, "te"u8) => KnownField.TE,
        4 when HttpChars.EqualsIgnoreCase(name, "host"u8) => KnownField.Host,
        6 when HttpChars.EqualsIgnoreCase(name, "expect"u8) => KnownField.Expect,
        7 when HttpChars.EqualsIgnoreCase(name, "upgrade"u8) => KnownField.Upgrade,
        7 when HttpChars.EqualsIgnoreCase(name, "trailer"u8) => KnownField.Trailer,
        10 when HttpChars.EqualsIgnoreCase(name, "connection"u8) => KnownField.Connection,
        10 when HttpChars.EqualsIgnoreCase(name, "keep-alive"u8) => KnownField.KeepAlive,
        14 when HttpChars.EqualsIgnoreCase(name, "content-length"u8) => KnownField.ContentLength,
        14 when HttpChars.EqualsIgnoreCase(name, "content_length"u8) => KnownField.UnderscoreFraming,
        16 when HttpChars.EqualsIgnoreCase(name, "proxy-connection"u8) => KnownField.ProxyConnection,
        17 when HttpChars.EqualsIgnoreCase(name, "transfer-encoding"u8) => KnownField.TransferEncoding,
        17 when HttpChars.EqualsIgnoreCase(name, "transfer_encoding"u8) => KnownField.UnderscoreFraming,
        _ => KnownField.Other,
    };

    /// <summary>Hop-by-hop fields a proxy never forwards as they are (RFC 9110 §7.6.1), besides those Connection names.</summary>
    public static bool IsHopByHop(KnownField field) => field is KnownField.Connection or KnownField.KeepAlive or KnownField.ProxyConnection
        or KnownField.TE or KnownField.Trailer or KnownField.Upgrade or KnownField.TransferEncoding;
}
