using System.Net;
using System.Net.Sockets;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.Pools;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Admin.AppProbes;

/// <summary>
/// Connects a probe to the app. The destination is the pod IP, as the kubelet and Istio's agent probe it; when nothing
/// listens there (refused), the app's loopback address, because an app bound only to 127.0.0.1 is served by the
/// classic sidecar (<c>--inbound-to loopback</c>, the default) and its probes must pass too (docs/designs/proxy.md,
/// "App probes"). The source is 127.0.0.6 (::6), the inbound-passthrough address: capture's
/// <c>-s 127.0.0.6 -o lo -j RETURN</c> leaves the connection alone in nat OUTPUT, and under TPROXY packets coming back
/// in over lo are returned before TPROXY, so the probe reaches the app, not the proxy's own inbound listener.
/// <code>
/// probe ─bind 127.0.0.6─connect pod-IP:port─► app (bound to the pod IP or 0.0.0.0)
///        └─ refused ─► connect 127.0.0.1:port ─► app (bound to loopback only)
/// </code>
/// </summary>
internal sealed class AppProbeDialer(IPAddress? instanceIp, PodAddresses pod)
{
    /// <summary>The pod IP a probe aims at first (INSTANCE_IP, else the first pod address read from the interfaces), or null.</summary>
    public IPAddress? PodIp => instanceIp ?? pod.Primary(AddressFamily.InterNetwork) ?? pod.Primary(AddressFamily.InterNetworkV6);

    /// <summary>Connects to <paramref name="port"/> of the app (or of <paramref name="host"/>, a probe's own <c>host</c>); cancelled by the probe's timeout.</summary>
    public async ValueTask<Socket> ConnectAsync(string? host, ushort port, CancellationToken cancellationToken)
    {
        var targets = new List<IPAddress>(2);
        if (host is not null)
        {
            targets.Add(IPAddress.TryParse(host, out var literal) ? literal : (await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false))[0]);
        }
        else
        {
            var podIp = PodIp;
            if (podIp is not null)
            {
                targets.Add(podIp);
            }

            targets.Add(podIp?.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback);
        }

        for (var i = 0; ; i++)
        {
            var target = targets[i];
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                if (IPAddress.IsLoopback(target) || pod.IsOwn(target) || target.Equals(instanceIp))
                {
                    UpstreamConnector.Bind(socket, Router.InboundSource(target.AddressFamily));
                }

                await socket.ConnectAsync(new IPEndPoint(target, port), cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && i + 1 < targets.Count)
            {
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }
}
