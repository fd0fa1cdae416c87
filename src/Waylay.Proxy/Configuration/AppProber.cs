namespace Waylay.Proxy.Configuration;

/// <summary>Which of the kubelet's probe actions an app prober runs.</summary>
internal enum AppProbeKind
{
    HttpGet,
    TcpSocket,
    Grpc,
}

/// <summary>
/// One original app probe the injector moved behind the health port (an entry of Istio's ISTIO_KUBE_APP_PROBERS,
/// Waylay's WAYLAY_KUBE_APP_PROBERS), parsed once at start: the path the kubelet now asks for and what to run.
/// </summary>
/// <param name="Url">The health-port path, e.g. <c>/app-health/web/readyz</c>.</param>
/// <param name="Port">The app's port (the injector resolved named ports to numbers).</param>
/// <param name="Path">httpGet: the app's path, with a leading '/'.</param>
/// <param name="Https">httpGet: scheme HTTPS (the app's certificate is not verified, as the kubelet does not).</param>
/// <param name="Host">httpGet: the <c>host</c> field (the address to probe instead of the pod), or null.</param>
/// <param name="Headers">httpGet: <c>httpHeaders</c>, in order.</param>
/// <param name="Service">grpc: the <c>service</c> asked about (empty: the server as a whole).</param>
/// <param name="Timeout">timeoutSeconds (Kubernetes' default 1 s when absent).</param>
internal sealed record AppProber(
    string Url,
    AppProbeKind Kind,
    ushort Port,
    string Path,
    bool Https,
    string? Host,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    string Service,
    TimeSpan Timeout);
