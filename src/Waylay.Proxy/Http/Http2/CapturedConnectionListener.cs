using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// Kestrel's transport for the h2 path: instead of accepting from a socket of its own, it accepts the connections the
/// core hands to <see cref="Http2Gateway.ServeAsync"/>, in the order they come.
/// </summary>
internal sealed class CapturedConnectionListener : IConnectionListenerFactory, IConnectionListener
{
    private readonly Channel<CapturedConnection> _pending = Channel.CreateUnbounded<CapturedConnection>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    public EndPoint EndPoint => CapturedEndPoint.Instance;

    /// <summary>False once Kestrel has stopped: the caller then closes the connection itself.</summary>
    public bool TryAdd(CapturedConnection connection) => _pending.Writer.TryWrite(connection);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new(this);

    public async ValueTask<Microsoft.AspNetCore.Connections.ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _pending.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return null;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _pending.Writer.TryComplete();
        return default;
    }

    public ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        while (_pending.Reader.TryRead(out var connection))
        {
            connection.Abort();
            _ = connection.DisposeAsync().AsTask();
        }

        return default;
    }
}
