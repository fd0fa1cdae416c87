using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Waylay.Proxy.Http.Policy;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// One captured socket as Kestrel's transport connection: a duplex pipe over the socket with the sniffed prefix
/// replayed first. Kestrel disposes it when it is done with the connection, which is when
/// <see cref="Http2Gateway.ServeAsync"/> returns; the socket itself stays the core's to close.
/// </summary>
internal sealed class CapturedConnection : Microsoft.AspNetCore.Connections.ConnectionContext, IDuplexPipe
{
    private readonly Socket _socket;
    private readonly CapturedSocketStream _stream;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _aborted;

    public CapturedConnection(Socket socket, ReadOnlyMemory<byte> prefix, HttpScope scope, TimeProvider time)
    {
        _socket = socket;
        _stream = new CapturedSocketStream(socket, prefix, scope.Connection, time);
        Input = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        Output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        ConnectionId = "waylay-" + scope.Connection.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint is IPEndPoint remote ? OriginalDestination.Addresses.Normalize(remote) : socket.RemoteEndPoint;
        Features.Set(new HttpScopeFeature(scope));
    }

    /// <summary>Completes when Kestrel has finished with the connection.</summary>
    public Task Done => _done.Task;

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport
    {
        get => this;
        set => throw new NotSupportedException("the captured connection's transport is its socket");
    }

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException();
    }

    /// <summary>Kestrel gives up on the connection (protocol error, shutdown): both directions end now.</summary>
    public override void Abort(ConnectionAbortedException abortReason)
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // already gone
        }

        Cancel();
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            // Completing the writer flushes what Kestrel left buffered; to a peer that is gone that fails, which is
            // the end of the connection all the same.
            await Input.CompleteAsync().ConfigureAwait(false);
            await Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
            Cancel();
            _done.TrySetResult();
        }
    }

    private void Cancel()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
