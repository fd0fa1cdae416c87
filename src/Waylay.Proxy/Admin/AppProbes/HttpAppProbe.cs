using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Waylay.Proxy.Configuration;

namespace Waylay.Proxy.Admin.AppProbes;

/// <summary>
/// Runs an httpGet probe against the app as the kubelet would have, and answers with the app's status code and up
/// to 10 KiB of its body (pilot-agent's handleAppProbeHTTPGet): the kubelet's own header fields are passed on (its
/// User-Agent, Accept and the probe's httpHeaders, which the rewritten probe keeps), Host becomes the app's port,
/// HTTPS is not verified, redirects are followed on the same host up to 10 times, and a redirect elsewhere, which the
/// kubelet counts as success, answers 200. One handler and connection per probe, closed after it, as the kubelet's
/// (with <c>Connection: close</c> for HTTP/1.1; disposing the handler also ends an h2 connection, which ignores it).
/// </summary>
internal sealed class HttpAppProbe
{
    private const int MaxBody = 10 * 1024;
    private const int MaxRedirects = 10;
    private static readonly HttpRequestOptionsKey<AppProber> ProberKey = new("waylay.app-prober");

    /// <summary>Fields that belong to the kubelet's connection or are set below, never passed on.</summary>
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Upgrade", "Content-Length", "Trailer",
    };

    private readonly AppProbeDialer _dialer;
    private readonly ushort _healthPort;

    public HttpAppProbe(AppProbeDialer dialer, ushort healthPort)
    {
        _dialer = dialer;
        _healthPort = healthPort;
    }

    public async ValueTask<AdminResponse> RunAsync(AppProber prober, AdminRequest kubelet, CancellationToken cancellationToken)
    {
        using var client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = ConnectAsync,
            // The kubelet does not verify an app's certificate either (pkg/probe/http: InsecureSkipVerify).
            SslOptions = { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
        });
        var target = prober.Host ?? _dialer.PodIp?.ToString() ?? "127.0.0.1";
        var authority = new UriBuilder(prober.Https ? "https" : "http", target, prober.Port).Uri;
        var uri = new Uri(authority, prober.Path);
        for (var redirects = 0; ; redirects++)
        {
            using var request = Request(prober, kubelet, uri);
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400)
            {
                var location = response.Headers.Location;
                var next = location is null ? null : location.IsAbsoluteUri ? location : new Uri(uri, location);
                if (next is null || status is not (301 or 302 or 303 or 307 or 308) || !string.Equals(next.Host, uri.Host, StringComparison.OrdinalIgnoreCase))
                {
                    // As the kubelet: a redirect it does not follow (elsewhere, or without Location) counts as success.
                    return AdminResponse.Text(200, $"the app answered {status}, a redirect the kubelet does not follow: success\n");
                }

                if (redirects == MaxRedirects)
                {
                    return AdminResponse.Text(500, $"probe of {prober.Url} stopped after {MaxRedirects} redirects\n");
                }

                uri = next;
                continue;
            }

            var body = await ReadAtMostAsync(response.Content, cancellationToken).ConfigureAwait(false);
            var type = response.Content.Headers.ContentType?.ToString() ?? "text/plain; charset=utf-8";
            return new AdminResponse(status, type, body);
        }
    }

    private HttpRequestMessage Request(AppProber prober, AdminRequest kubelet, Uri uri)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri)
        {
            // HTTPS may negotiate h2 by ALPN, as Istio's agent does (ISTIO_ENABLE_HTTP2_PROBING); plain HTTP is 1.1.
            Version = HttpVersion.Version11,
            VersionPolicy = prober.Https ? HttpVersionPolicy.RequestVersionOrHigher : HttpVersionPolicy.RequestVersionExact,
        };
        request.Options.Set(ProberKey, prober);
        request.Headers.ConnectionClose = true;

        // Host: the kubelet's, with the health port replaced by the app's (what the app would have seen unmeshed).
        if (kubelet.Header("Host") is { Length: > 0 } host)
        {
            request.Headers.Host = ReplacePort(host, prober.Port);
        }

        var sent = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in kubelet.Headers)
        {
            if (!NotForwarded.Contains(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
                sent.Add(name);
            }
        }

        // The probe's own httpHeaders (the kubelet sent them too, unless something else asked): those it did not send.
        foreach (var (name, value) in prober.Headers)
        {
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = value;
            }
            else if (!sent.Contains(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    private string ReplacePort(string host, ushort appPort)
    {
        var colon = host.LastIndexOf(':');
        if (colon > 0 && host.IndexOf(']', colon) < 0 && ushort.TryParse(host.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port == _healthPort)
        {
            return host[..(colon + 1)] + appPort.ToString(CultureInfo.InvariantCulture);
        }

        return host;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var prober = context.InitialRequestMessage.Options.TryGetValue(ProberKey, out var p) ? p : null;
        var socket = await _dialer.ConnectAsync(prober?.Host, (ushort)context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
        return new NetworkStream(socket, ownsSocket: true);
    }

    private static async Task<byte[]> ReadAtMostAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var _ = stream.ConfigureAwait(false);
        var buffer = new byte[MaxBody];
        var length = 0;
        int read;
        while (length < MaxBody && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        return buffer[..length];
    }
}
