using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Waylay.Control.Registry;
using Waylay.Discovery;
using Waylay.Discovery.V1;

namespace Waylay.Control.Discovery;

/// <summary>
/// The server end of the stream (istiod's ADS server):
/// <code>
///   request (type, nonce "")   ─► subscribe ─► send that type's current resources
///   request (nonce = sent)     ─► ACK (version) or NACK (error_detail): recorded for /debug/syncz, nothing resent
///   registry published         ─► every stream sends the subscribed types whose content in its view changed
/// </code>
/// One writer loop per stream (gRPC allows one write at a time); the reader only records and wakes it. A new stream
/// always gets every type it subscribes to in full, whatever version the proxy says it runs: after a control-plane
/// restart the same version number may name different content. Each proxy gets its view of the snapshot
/// (<see cref="ControlSnapshot.ViewFor"/>: exportTo, Sidecar); a type unchanged in that view sends nothing. Later pushes to a proxy that merges carry only the
/// resources changed since the version last sent to it (<see cref="TypeSnapshot.DeltaFrom"/>); the bytes are encoded
/// once per distinct view content and shared by all streams (<see cref="PushFrame"/>, bound by <see cref="SharedBytesDiscoveryBase"/>).
/// </summary>
internal sealed class AggregatedDiscoveryService(MeshRegistry registry, ProxyConnections connections, ControlMetrics metrics, TimeProvider time, ILogger<AggregatedDiscoveryService> logger)
    : SharedBytesDiscoveryBase
{
    private const int LargeWrite = 64 * 1024;

    private static long _nonces;

    public override async Task StreamResources(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<PushFrame> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var first = requestStream.Current;
        if (first.Node is null || first.Node.Id.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first request must carry node.id (the proxy's pod.namespace)"));
        }

        var connection = new ProxyConnection(first.Node, context.Peer, time.GetUtcNow());
        connections.Add(connection);
        metrics.Connected(connections.Count);
        ControlLog.ProxyConnected(logger, connection.Id, context.Peer);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writer = WriteLoopAsync(connection, responseStream, stop.Token);
        try
        {
            Receive(connection, first);
            while (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                Receive(connection, requestStream.Current);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // the proxy went away
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
            {
            }

            connections.Remove(connection);
            metrics.Connected(connections.Count);
            ControlLog.ProxyDisconnected(logger, connection.Id);
        }
    }

    private void Receive(ProxyConnection connection, DiscoveryRequest request)
    {
        if (request.ResponseNonce.Length == 0)
        {
            connection.Subscribe(request.TypeUrl, request.AcceptsIncremental);
            return;
        }

        var error = request.ErrorDetail is { } detail ? detail.Message : null;
        if (connection.Answer(request.TypeUrl, request.ResponseNonce, request.VersionInfo, error) && error is not null)
        {
            metrics.Nack(TypeUrls.Short(request.TypeUrl));
            ControlLog.Nack(logger, connection.Id, TypeUrls.Short(request.TypeUrl), request.VersionInfo, error);
        }
    }

    private async Task WriteLoopAsync(ProxyConnection connection, IServerStreamWriter<PushFrame> stream, CancellationToken cancellationToken)
    {
        while (await connection.Wake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            connection.Wake.Reader.TryRead(out _);
            var snapshot = registry.Current;
            var view = snapshot.ViewFor(connection.Node);
            connection.View = view;
            foreach (var (type, previous) in connection.Stale(view.Types))
            {
                var content = view.Types[type];
                var nonce = Interlocked.Increment(ref _nonces).ToString(CultureInfo.InvariantCulture);
                var header = new DiscoveryResponse
                {
                    TypeUrl = type,
                    VersionInfo = content.Version.ToString(CultureInfo.InvariantCulture),
                    Nonce = nonce,
                    ControlPlane = Environment.MachineName,
                };
                var resources = content.Full;
                if (previous is not null && content.DeltaFrom(previous) is { } delta)
                {
                    resources = delta;
                    header.Incremental = true;
                    header.BaseVersion = previous.Version.ToString(CultureInfo.InvariantCulture);
                    header.RemovedResources.AddRange(delta.Removed);
                }

                var frame = new PushFrame(header, resources);
                var push = connection.Sent(type, content, frame, time.GetUtcNow());
                var large = frame.Bytes > LargeWrite;
                if (large)
                {
                    await connections.LargeWrites.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                try
                {
                    await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    if (large)
                    {
                        connections.LargeWrites.Release();
                    }
                }

                // Convergence time (istiod's pilot_proxy_convergence_time): from the first change of the debounced
                // burst to this proxy's response written; a stream's first responses are not a push of a change.
                metrics.Pushed(TypeUrls.Short(type), frame.Bytes, resources.Count, push ? time.GetUtcNow() - snapshot.ChangedAt : null);
            }
        }
    }
}
