using System.Buffers;
using System.Net.Sockets;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Tcp;

/// <summary>
/// The portable direction pump: wait for data with a zero-byte receive, then rent a buffer only for as long as one
/// chunk is in flight (Kestrel's WaitForDataBeforeAllocatingBuffer), so an idle connection holds no memory.
/// </summary>
internal static class BufferPump
{
    public const int ChunkSize = 64 * 1024;

    public static async Task<PumpResult> RunAsync(Socket source, Socket destination, ConnectionContext connection, bool toUpstream, TimeProvider time, CancellationToken cancellationToken)
    {
        var chunks = 0;
        while (true)
        {
            await source.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (await CopyOnceAsync(source, destination, connection, toUpstream, time, cancellationToken).ConfigureAwait(false) is { } ended)
            {
                return ended;
            }

            // Receives that find data complete synchronously: yield now and then so one busy connection cannot hold
            // the (epoll) thread it runs on.
            if (++chunks % 16 == 0)
            {
                await Task.Yield();
            }
        }
    }

    /// <summary>Copies what is readable now (one chunk); returns <see cref="PumpResult.Eof"/> at EOF, null otherwise.</summary>
    public static async ValueTask<PumpResult?> CopyOnceAsync(Socket source, Socket destination, ConnectionContext connection, bool toUpstream, TimeProvider time, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var read = await source.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                destination.Shutdown(SocketShutdown.Send);
                return PumpResult.Eof;
            }

            var sent = 0;
            while (sent < read)
            {
                sent += await destination.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }

            connection.AddBytes(toUpstream, read, time.GetTimestamp());
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
