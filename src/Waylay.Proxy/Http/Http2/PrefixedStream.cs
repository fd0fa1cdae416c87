using System.Net.Sockets;

namespace Waylay.Proxy.Http.Http2;

/// <summary>
/// The captured socket as a stream whose first bytes are those the sniffer already took off it (the h2 preface, maybe
/// more): Kestrel must read the connection from its very first byte. Writes go straight to the socket.
/// </summary>
internal sealed class PrefixedStream(Socket socket, ReadOnlyMemory<byte> prefix) : NetworkStream(socket, ownsSocket: false)
{
    private ReadOnlyMemory<byte> _prefix = prefix;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_prefix.IsEmpty)
        {
            return base.ReadAsync(buffer, cancellationToken);
        }

        var count = Math.Min(buffer.Length, _prefix.Length);
        _prefix.Span[..count].CopyTo(buffer.Span);
        _prefix = _prefix[count..];
        return new ValueTask<int>(count);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        if (_prefix.IsEmpty)
        {
            return base.Read(buffer);
        }

        var count = Math.Min(buffer.Length, _prefix.Length);
        _prefix.Span[..count].CopyTo(buffer);
        _prefix = _prefix[count..];
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
}
