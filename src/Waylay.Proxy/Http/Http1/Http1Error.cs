namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// Why an HTTP/1.x message was refused. Every refusal is a value the user sees (access log, metric tag,
/// <c>x-waylay-proxy-error</c> on the synthetic response), mapped to a status by <see cref="Http1Errors.StatusCode"/>.
/// A request the app would read differently from the proxy is a smuggled request, so ambiguity is refused, never
/// resolved by guessing (RFC 9112 §6.3, §11.2).
/// </summary>
// Public only because xunit theories take it as a parameter (a test method must be public).
public enum Http1Error
{
    None = 0,

    // :: malformed (400) — RFC 9112 §3, §5
    BadRequestLine,
    InvalidRequestTarget,
    BareLineFeed,
    InvalidFieldName,
    WhitespaceBeforeColon,
    InvalidFieldValue,
    ObsoleteLineFolding,
    MissingHost,
    MultipleHost,
    InvalidHost,

    // :: ambiguous framing (400) — RFC 9112 §6
    ContentLengthWithTransferEncoding,
    InvalidContentLength,
    DifferingContentLengths,
    InvalidTransferEncoding,
    TransferEncodingInHttp10,
    UnderscoreFramingField,

    // :: chunked body (400) — RFC 9112 §7.1
    InvalidChunkSize,
    ChunkSizeOverflow,
    InvalidChunkExtension,
    ChunkLineTooLong,
    MissingChunkTerminator,
    InvalidTrailer,
    FramingFieldInTrailer,
    UnexpectedEndOfBody,

    // :: too large (431) — RFC 6585 §5
    HeadTooLarge,
    TooManyHeaders,
    TrailersTooLarge,

    // :: well-formed but not implemented
    UnsupportedTransferCoding,
    UnsupportedHttpVersion,

    // :: responses only (always 502 to the client)
    InvalidStatusLine,
}

internal static class Http1Errors
{
    /// <summary>
    /// The status the proxy answers with. A fault in an upstream's response is the upstream's, not the client's:
    /// it always becomes 502 (Envoy's UPE, upstream protocol error).
    /// </summary>
    public static int StatusCode(this Http1Error error, bool upstream = false) => upstream ? 502 : error switch
    {
        Http1Error.None => 200,
        Http1Error.HeadTooLarge or Http1Error.TooManyHeaders or Http1Error.TrailersTooLarge => 431,
        Http1Error.UnsupportedTransferCoding => 501,
        Http1Error.UnsupportedHttpVersion => 505,
        _ => 400,
    };

    /// <summary>Short kebab-case code for the access log and the <c>x-waylay-proxy-error</c> header.</summary>
    public static string Code(this Http1Error error) => error switch
    {
        Http1Error.None => "none",
        Http1Error.BadRequestLine => "bad-request-line",
        Http1Error.InvalidRequestTarget => "invalid-request-target",
        Http1Error.BareLineFeed => "bare-line-feed",
        Http1Error.InvalidFieldName => "invalid-field-name",
        Http1Error.WhitespaceBeforeColon => "whitespace-before-colon",
        Http1Error.InvalidFieldValue => "invalid-field-value",
        Http1Error.ObsoleteLineFolding => "obs-fold",
        Http1Error.MissingHost => "missing-host",
        Http1Error.MultipleHost => "multiple-host",
        Http1Error.InvalidHost => "invalid-host",
        Http1Error.ContentLengthWithTransferEncoding => "content-length-with-transfer-encoding",
        Http1Error.InvalidContentLength => "invalid-content-length",
        Http1Error.DifferingContentLengths => "differing-content-lengths",
        Http1Error.InvalidTransferEncoding => "invalid-transfer-encoding",
        Http1Error.TransferEncodingInHttp10 => "transfer-encoding-in-http10",
        Http1Error.UnderscoreFramingField => "underscore-framing-field",
        Http1Error.InvalidChunkSize => "invalid-chunk-size",
        Http1Error.ChunkSizeOverflow => "chunk-size-overflow",
        Http1Error.InvalidChunkExtension => "invalid-chunk-extension",
        Http1Error.ChunkLineTooLong => "chunk-line-too-long",
        Http1Error.MissingChunkTerminator => "missing-chunk-terminator",
        Http1Error.InvalidTrailer => "invalid-trailer",
        Http1Error.FramingFieldInTrailer => "framing-field-in-trailer",
        Http1Error.UnexpectedEndOfBody => "unexpected-end-of-body",
        Http1Error.HeadTooLarge => "head-too-large",
        Http1Error.TooManyHeaders => "too-many-headers",
        Http1Error.TrailersTooLarge => "trailers-too-large",
        Http1Error.UnsupportedTransferCoding => "unsupported-transfer-coding",
        Http1Error.UnsupportedHttpVersion => "unsupported-http-version",
        Http1Error.InvalidStatusLine => "invalid-status-line",
        _ => "unknown",
    };
}
