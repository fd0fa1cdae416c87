namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// Size limits of the HTTP/1 parser. The defaults are Envoy's: a 60 KiB head (<c>max_request_headers_kb</c>) and
/// 100 fields (<c>max_headers_count</c>); chunk lines and trailers get bounds of their own so that neither chunk
/// extensions nor trailers can make the proxy buffer without limit.
/// </summary>
internal sealed record Http1Limits(int MaxHeadBytes = 60 * 1024, int MaxFields = 100, int MaxChunkLineBytes = 4096, int MaxTrailerBytes = 16 * 1024)
{
    public static Http1Limits Default { get; } = new();
}
