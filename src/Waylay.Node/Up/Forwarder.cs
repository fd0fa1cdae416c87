using System.Net;
using System.Net.Sockets;
using Waylay.Node.Kubelet;

namespace Waylay.Node.Up;

/// <summary>
/// The one thing <c>waylay up</c> puts in the machine's root namespace: a TCP listener on 127.0.0.1 only (never
/// another address: the mesh stays unreachable from the network), which for each accepted connection opens one from
/// inside a node's namespace to a Service's ClusterIP (kubectl port-forward's role, reaching a Service the way a
/// node does: the node's kube-proxy rules DNAT it to a ready pod) and relays bytes both ways, each direction
/// half-closed on its own EOF.
/// <code>
///  client ─► 127.0.0.1:port (root netns) ═ relay ═ socket made in wl-&lt;run&gt;-node1 ─► ClusterIP:port ─DNAT─► pod
/// </code>
/// </summary>
internal sealed class Forwarder : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly string _nodeNamespacePath;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;

    private Forwarder(Socket listener, string nodeNamespacePath, IPEndPoint target)
    {
        _listener = listener;
        _nodeNamespacePath = nodeNamespacePath;
        _target = target;
        _accepting = AcceptAsync(_stopping.Token);
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public static Forwarder Start(ushort port, string nodeNamespacePath, IPEndPoint target)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
            listener.Listen(128);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new InvalidOperationException($"the forwarder cannot listen on 127.0.0.1:{port} ({e.SocketErrorCode}); pick another --port or leave it out for a free one", e);
        }

        return new Forwarder(listener, nodeNamespacePath, target);
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client, cancellationToken), CancellationToken.None);
        }
    }

    private async Task ServeAsync(Socket client, CancellationToken cancellationToken)
    {
        using (client)
        {
            Socket upstream;
            try
            {
                upstream = NodeSocket.Create(_nodeNamespacePath, AddressFamily.InterNetwork);
            }
            catch (InvalidOperationException)
            {
                return; // the node is gone (teardown): the client sees the connection close
            }

            using (upstream)
            {
                try
                {
                    await upstream.ConnectAsync(_target, cancellationToken);
                    await Task.WhenAll(PumpAsync(client, upstream, cancellationToken), PumpAsync(upstream, client, cancellationToken));
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
                {
                    // refused or reset: closing the client tells it as much as a port-forward would
                }
            }
        }
    }

    /// <summary>One direction: copy until EOF, then shut down that direction only (the other may still talk).</summary>
    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }

            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            from.Close();
            to.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _stopping.Dispose();
    }
}
