using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Admin.AppProbes;

/// <summary>
/// The health port's <c>/app-health/&lt;container&gt;/livez|readyz|startupz</c> (and Istio's <c>/app-lifecycle/…</c>):
/// runs the original probe the injector moved there against the app, within the probe's timeoutSeconds, and answers
/// as pilot-agent's status server does: httpGet with the app's own status code, tcpSocket and grpc with 200 or 500;
/// a path with no prober gets 400 naming it (pilot-agent's answer). Everything here is async on the thread pool, away
/// from the proxy's epoll loops.
/// <code>
/// kubelet ─GET :15021/app-health/web/readyz─► AdminHttpServer ─► AppProbeHandler ─► Http|Tcp|GrpcAppProbe
///                                                                              └─ AppProbeDialer ─127.0.0.6─► app
/// </code>
/// </summary>
internal sealed class AppProbeHandler
{
    private readonly IReadOnlyDictionary<string, AppProber> _probers;
    private readonly HttpAppProbe _http;
    private readonly TcpAppProbe _tcp;
    private readonly GrpcAppProbe _grpc;
    private readonly ILogger _logger;

    public AppProbeHandler(ProxyOptions options, PodAddresses pod, ILogger logger)
    {
        _probers = options.AppProbers;
        var dialer = new AppProbeDialer(options.InstanceIp, pod);
        _http = new HttpAppProbe(dialer, options.HealthPort);
        _tcp = new TcpAppProbe(dialer);
        _grpc = new GrpcAppProbe(dialer);
        _logger = logger;
    }

    public static bool Serves(string path) =>
        path.StartsWith("/app-health/", StringComparison.Ordinal) || path.StartsWith("/app-lifecycle/", StringComparison.Ordinal);

    public async ValueTask<AdminResponse> HandleAsync(AdminRequest request)
    {
        if (!_probers.TryGetValue(request.Path, out var prober))
        {
            var known = _probers.Count == 0 ? "none (the injector rewrote no probe of this pod)" : string.Join(", ", _probers.Keys.Order(StringComparer.Ordinal));
            return AdminResponse.Text(400, $"app prober config does not exist for {request.Path}; this proxy's probers: {known}\n");
        }

        using var timeout = new CancellationTokenSource(prober.Timeout);
        try
        {
            var response = prober.Kind switch
            {
                AppProbeKind.HttpGet => await _http.RunAsync(prober, request, timeout.Token).ConfigureAwait(false),
                AppProbeKind.TcpSocket => await _tcp.RunAsync(prober, timeout.Token).ConfigureAwait(false),
                _ => await _grpc.RunAsync(prober, timeout.Token).ConfigureAwait(false),
            };
            if (response.Status is < 200 or >= 400)
            {
                AppProbeLog.Failed(_logger, prober.Url, $"the app answered {response.Status}");
            }

            return response;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Failed(prober, $"no answer within the probe's timeout ({prober.Timeout.TotalSeconds:0.###} s)");
        }
        catch (Exception e) when (e is SocketException or HttpRequestException or IOException)
        {
            return Failed(prober, e.Message);
        }
    }

    private AdminResponse Failed(AppProber prober, string reason)
    {
        AppProbeLog.Failed(_logger, prober.Url, reason);
        var what = prober.Kind switch
        {
            AppProbeKind.HttpGet => $"{(prober.Https ? "https" : "http")} GET :{prober.Port}{prober.Path}",
            AppProbeKind.TcpSocket => $"tcp :{prober.Port}",
            _ => $"grpc :{prober.Port} service '{prober.Service}'",
        };
        return AdminResponse.Text(500, $"probe {prober.Url} ({what}) failed: {reason}\n");
    }
}
