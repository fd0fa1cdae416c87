using System.Net;
using System.Net.Sockets;
using k8s.Models;
using Waylay.Probes;

namespace Waylay.Node.Kubelet;

/// <summary>
/// One probe attempt as the kubelet's prober makes it, from the node's namespace to the pod's IP: <c>httpGet</c>
/// (a GET with <c>User-Agent: kube-probe/…</c> and the probe's headers; 200–399 succeeds; redirects not followed),
/// <c>tcpSocket</c> (a connect succeeds), <c>grpc</c> (<c>grpc.health.v1.Health/Check</c> of the probe's service
/// answers SERVING: <see cref="GrpcHealthCheck"/>, the check the sidecar's app probes make too), <c>exec</c> (the
/// command, run in the container's namespaces as its uid, exits 0). Each attempt is bounded by <c>timeoutSeconds</c>
/// (default 1); running out of it is a failure, as since Kubernetes 1.20 for exec too.
/// </summary>
internal sealed class ProbeRunner(string nodeNamespacePath, IPAddress podAddress, Func<IReadOnlyList<string>, CancellationToken, Task<int>>? exec = null)
{
    public const string UserAgent = "kube-probe/1.31";

    public async Task<bool> ProbeAsync(V1Probe probe, V1Container container, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds ?? 1)));
        try
        {
            if (probe.HttpGet is { } http)
            {
                return await HttpAsync(http, container, timeout.Token);
            }

            if (probe.Exec is { } command && exec is not null)
            {
                return await exec([.. command.Command ?? []], timeout.Token) == 0;
            }

            if (probe.Grpc is { } grpc)
            {
                var result = await GrpcHealthCheck.CheckAsync(podAddress, grpc.Port, grpc.Service, ct => ConnectAsync(podAddress, grpc.Port, ct), timeout.Token);
                return result.Serving;
            }

            if (probe.TcpSocket is { } tcp)
            {
                using var socket = NodeSocket.Create(nodeNamespacePath, podAddress.AddressFamily);
                await socket.ConnectAsync(Host(tcp.Host), Port(tcp.Port, container), timeout.Token);
                return true;
            }
        }
        catch (Exception e) when (e is SocketException or HttpRequestException or OperationCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        return false;
    }

    private async Task<bool> HttpAsync(V1HTTPGetAction http, V1Container container, CancellationToken cancellationToken)
    {
        if (http.Scheme is { } scheme && !scheme.Equals("HTTP", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var host = Host(http.Host);
        var port = Port(http.Port, container);
        using var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectCallback = async (_, token) => await ConnectAsync(host, port, token),
        };
        using var client = new HttpClient(handler);
        var path = string.IsNullOrEmpty(http.Path) ? "/" : http.Path.StartsWith('/') ? http.Path : "/" + http.Path;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{new IPEndPoint(host, port)}{path}"));
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.TryAddWithoutValidation("Accept", "*/*");
        foreach (var header in http.HttpHeaders ?? [])
        {
            request.Headers.Remove(header.Name);
            request.Headers.TryAddWithoutValidation(header.Name, header.Value);
        }

        using var response = await client.SendAsync(request, cancellationToken);
        return (int)response.StatusCode is >= 200 and < 400;
    }

    /// <summary>A connection from the node's namespace, as the kubelet's probes come from the node.</summary>
    private async ValueTask<Stream> ConnectAsync(IPAddress host, int port, CancellationToken cancellationToken)
    {
        var socket = NodeSocket.Create(nodeNamespacePath, host.AddressFamily);
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private IPAddress Host(string? host) => host is { Length: > 0 } && IPAddress.TryParse(host, out var address) ? address : podAddress;

    /// <summary>A port number, or a container port's name (<c>port: http</c>).</summary>
    private static int Port(IntOrString port, V1Container container)
    {
        var text = port.Value;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return container.Ports?.FirstOrDefault(p => p.Name == text)?.ContainerPort
            ?? throw new Manifests.PodConversionException($"container {container.Name}: probe port '{text}' names no port of the container; use a number or a ports[].name");
    }
}
