using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Waylay.Probes;

/// <summary>
/// A grpc probe as the kubelet makes it (<c>pkg/probe/grpc</c>): <c>grpc.health.v1.Health/Check</c> for the probe's
/// service over h2c (prior knowledge, no TLS and no credentials), one channel and one connection per probe; only
/// SERVING passes. The caller makes the connection (<paramref name="connect"/>: from the node's namespace for the
/// kubelet, from 127.0.0.6 for the sidecar's app probes) and bounds the call with its timeout.
/// </summary>
internal static class GrpcHealthCheck
{
    public static async Task<GrpcHealthResult> CheckAsync(
        IPAddress address, int port, string? service, Func<CancellationToken, ValueTask<Stream>> connect, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, ct) => await connect(ct).ConfigureAwait(false),
        };
        var target = new UriBuilder("http", address.ToString(), port).Uri;
        using var channel = GrpcChannel.ForAddress(target, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
        var client = new Health.HealthClient(channel);
        service ??= "";
        try
        {
            var reply = await client.CheckAsync(new HealthCheckRequest { Service = service }, cancellationToken: cancellationToken).ConfigureAwait(false);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? new GrpcHealthResult(true, $"service '{service}' is SERVING")
                : new GrpcHealthResult(false, $"service '{service}' is {reply.Status}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            return new GrpcHealthResult(false, $"the app on port {port} does not implement the gRPC health protocol (grpc.health.v1.Health): {e.Status.Detail}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (RpcException e)
        {
            return new GrpcHealthResult(false, $"gRPC health check of port {port} failed: {e.StatusCode}: {e.Status.Detail}");
        }
    }
}

/// <summary>Whether the service answered SERVING, and what to tell the user either way.</summary>
internal readonly record struct GrpcHealthResult(bool Serving, string Detail);
