using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Waylay.Proxy.Io;

namespace Waylay.Proxy.Tests.Io;

/// <summary>Byte patterns and bounded waits shared by the Io tests.</summary>
internal static class IoTestData
{
    /// <summary>Only to stop a hang: every wait in these tests completes long before it on a healthy build.</summary>
    public static readonly TimeSpan Hang = TimeSpan.FromSeconds(10);

    public static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static Task<T> Bounded<T>(this ValueTask<T> pending) => pending.AsTask().WaitAsync(Hang);

    public static Task Bounded(this ValueTask pending) => pending.AsTask().WaitAsync(Hang);

    /// <summary>Every byte through a <see cref="SocketPipeWriter"/>, the proxy's own send path: written, then one flush.</summary>
    public static async Task SendThroughWriterAsync(this EpollSocket socket, byte[] bytes, CancellationToken cancellationToken)
    {
        var writer = new SocketPipeWriter(socket);
        try
        {
            writer.Write(bytes);
            await writer.FlushAsync(cancellationToken);
        }
        finally
        {
            writer.Complete();
        }
    }

    /// <summary>Reads without consuming until at least <paramref name="count"/> bytes are buffered (or the end).</summary>
    public static async Task<ReadResult> ReadAtLeastBoundedAsync(PipeReader reader, int count)
    {
        while (true)
        {
            var result = await reader.ReadAsync().Bounded();
            if (result.Buffer.Length >= count || result.IsCompleted)
            {
                return result;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>Everything a reader yields until the end of the stream, consuming as it goes.</summary>
    public static async Task<byte[]> ReadToEndAsync(PipeReader reader)
    {
        var received = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await reader.ReadAsync().Bounded();
            foreach (var segment in result.Buffer)
            {
                received.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return received.WrittenSpan.ToArray();
            }
        }
    }

    /// <summary>Reads a plain socket until EOF, in small pieces with a pause now and then, so the sender keeps hitting a full buffer.</summary>
    public static async Task<byte[]> ReceiveSlowlyToEndAsync(Socket socket)
    {
        var received = new ArrayBufferWriter<byte>();
        var chunk = new byte[8 * 1024];
        for (var reads = 0; ; reads++)
        {
            var read = await socket.ReceiveAsync(chunk.AsMemory(), SocketFlags.None).AsTask().WaitAsync(Hang);
            if (read == 0)
            {
                return received.WrittenSpan.ToArray();
            }

            received.Write(chunk.AsSpan(0, read));
            if (reads % 64 == 0)
            {
                await Task.Delay(1);
            }
        }
    }

    /// <summary>Sends all of <paramref name="bytes"/> from a plain socket.</summary>
    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await socket.SendAsync(bytes, SocketFlags.None).AsTask().WaitAsync(Hang);
            bytes = bytes[sent..];
        }
    }
}
