using System.Net.Sockets;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// The captured socket as Kestrel reads and writes it: first the bytes the sniffer already took off the socket (none
/// when it peeked), then the socket itself. Every read and write is the connection's activity, as the L4 relay's
/// pumps count it: the idle sweep and <c>/connections</c> see an h2 connection like any other.
/// </summary>
internal sealed class CapturedSocketStream(Socket socket, ReadOnlyMemory<byte> prefix, ConnectionContext connection, TimeProvider time)
    : NetworkStream(socket, ownsSocket: false)
{
    private ReadOnlyMemory<byte> _prefix = prefix;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = _prefix.IsEmpty ? await base.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) : FromPrefix(buffer.Span);
        connection.AddBytes(toUpstream: true, read, time.GetTimestamp());
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        var read = _prefix.IsEmpty ? base.Read(buffer) : FromPrefix(buffer);
        connection.AddBytes(toUpstream: true, read, time.GetTimestamp());
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        connection.AddBytes(toUpstream: false, buffer.Length, time.GetTimestamp());
        return base.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        connection.AddBytes(toUpstream: false, buffer.Length, time.GetTimestamp());
        base.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    private int FromPrefix(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, _prefix.Length);
        _prefix.Span[..count].CopyTo(buffer);
        _prefix = _prefix[count..];
        return count;
    }
}
