using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Waylay.Proxy.Admin.AppProbes;

/// <summary>
/// A grpc probe: <c>grpc.health.v1.Health/Check</c> for the probe's service over h2c (prior knowledge, no TLS: the
/// kubelet's gRPC probe has no credentials either), bounded by the probe's timeout; 200 when the answer is SERVING,
/// else 500 with the reason (pilot-agent's handleAppProbeGRPC, after the kubelet's pkg/probe/grpc). One channel and
/// one connection per probe, as the kubelet's.
/// </summary>
internal sealed class GrpcAppProbe(AppProbeDialer dialer)
{
    public async ValueTask<AdminResponse> RunAsync(AppProber prober, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, ct) =>
                new NetworkStream(await dialer.ConnectAsync(null, (ushort)context.DnsEndPoint.Port, ct).ConfigureAwait(false), ownsSocket: true),
        };
        var target = dialer.PodIp ?? IPAddress.Loopback;
        var address = new UriBuilder("http", target.ToString(), prober.Port).Uri;
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
        var client = new Health.HealthClient(channel);
        try
        {
            var reply = await client.CheckAsync(new HealthCheckRequest { Service = prober.Service }, cancellationToken: cancellationToken).ConfigureAwait(false);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? AdminResponse.Text(200, $"service '{prober.Service}' is SERVING\n")
                : AdminResponse.Text(500, $"service '{prober.Service}' is {reply.Status}\n");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            return AdminResponse.Text(500, $"the app on port {prober.Port} does not implement the gRPC health protocol (grpc.health.v1.Health): {e.Status.Detail}\n");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            return AdminResponse.Text(500, $"gRPC health check of port {prober.Port} failed: {e.StatusCode}: {e.Status.Detail}\n");
        }
    }
}
