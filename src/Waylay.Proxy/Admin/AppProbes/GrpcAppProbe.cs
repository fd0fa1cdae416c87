using System.Net;
using System.Net.Sockets;
using Waylay.Probes;
using Waylay.Proxy.Configuration;

namespace Waylay.Proxy.Admin.AppProbes;

/// <summary>
/// A grpc probe: the kubelet's <c>grpc.health.v1.Health/Check</c> (<see cref="GrpcHealthCheck"/>, which the node's
/// kubelet runs too) through the app-probe dialer, bounded by the probe's timeout; 200 when the answer is SERVING,
/// else 500 with the reason (pilot-agent's handleAppProbeGRPC, after the kubelet's pkg/probe/grpc).
/// </summary>
internal sealed class GrpcAppProbe(AppProbeDialer dialer)
{
    public async ValueTask<AdminResponse> RunAsync(AppProber prober, CancellationToken cancellationToken)
    {
        var result = await GrpcHealthCheck.CheckAsync(
            dialer.PodIp ?? IPAddress.Loopback,
            prober.Port,
            prober.Service,
            async ct => new NetworkStream(await dialer.ConnectAsync(null, prober.Port, ct).ConfigureAwait(false), ownsSocket: true),
            cancellationToken).ConfigureAwait(false);
        return AdminResponse.Text(result.Serving ? 200 : 500, result.Detail + "\n");
    }
}
