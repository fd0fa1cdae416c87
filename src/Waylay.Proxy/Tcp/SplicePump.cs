using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Waylay.Linux;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Tcp;

/// <summary>
/// One direction of the relay with splice(2): socket → pipe → socket, so the bytes stay in the kernel.
/// <code>
///   :: Step 1  zero-byte ReceiveAsync: .NET's epoll says the source is readable (or at EOF)
///   :: Step 2  rent an empty pipe from the pool (none free and no descriptors left: copy one chunk instead)
///   :: Step 3  splice(source → pipe); 0 means EOF, EAGAIN (or a small read) means "drained for now": return the
///              pipe, go to 1
///   :: Step 4  splice(pipe → destination) until the pipe is empty
///   :: Step 5  destination full (EAGAIN): .NET has no "wait until writable", so read what is left in the pipe into a
///              pooled buffer and SendAsync it, which waits for room; bytes enter user space only under backpressure
/// </code>
/// Both sockets are made O_NONBLOCK by the relay first: an accepted socket is blocking at the fd level until .NET first
/// polls it, and a blocking splice would hold a thread-pool thread and can deadlock a direction (design.md).
/// </summary>
internal static class SplicePump
{
    /// <summary>The most one splice call moves: a default pipe holds 64 KiB (16 pages).</summary>
    private const int ChunkSize = 64 * 1024;

    /// <summary>A read shorter than this ends the wake-up without asking the source again (step 3).</summary>
    private const int SmallRead = 16 * 1024;

    /// <summary>After this much in one wake-up the pump yields, so one busy connection cannot hold an epoll thread.</summary>
    internal const int BurstLimit = 1024 * 1024;

    public static async Task<PumpResult> RunAsync(Socket source, Socket destination, PipePool pipes, ConnectionContext connection, bool toUpstream, TimeProvider time, CancellationToken cancellationToken)
    {
        var sourceFd = (int)source.SafeHandle.DangerousGetHandle();
        var destinationFd = (int)destination.SafeHandle.DangerousGetHandle();
        while (true)
        {
            // :: Step 1
            await source.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);

            // :: Step 2
            if (!pipes.TryRent(out var pipe))
            {
                var copied = await BufferPump.CopyOnceAsync(source, destination, connection, toUpstream, time, cancellationToken).ConfigureAwait(false);
                if (copied is { } ended)
                {
                    return ended;
                }

                continue;
            }

            var pipeEmpty = true;
            var burst = 0;
            try
            {
                // :: Step 3
                while (burst < BurstLimit)
                {
                    var moved = Fcntl.Splice(sourceFd, 0, pipe.Write, 0, ChunkSize, Fcntl.SpliceMove | Fcntl.SpliceNonBlock);
                    if (moved > 0)
                    {
                        pipeEmpty = false;

                        // :: Step 4
                        var drained = DrainPipe(pipe.Read, destinationFd, (int)moved);
                        if (drained < 0)
                        {
                            return PumpResult.Reset;
                        }

                        // :: Step 5
                        if (drained < moved && await SendRestAsync(pipe.Read, destination, (int)moved - drained, cancellationToken).ConfigureAwait(false) is { } failed)
                        {
                            return failed;
                        }

                        pipeEmpty = true;
                        burst += (int)moved;
                        connection.AddBytes(toUpstream, moved, time.GetTimestamp());

                        // A small read: the socket is most likely drained. Back to the wait of step 1, which returns
                        // at once if more came meanwhile, rather than a splice that would only say EAGAIN (one syscall
                        // fewer per request on small exchanges, the connection-rate case). Bulk reads fill most of
                        // the pipe and carry on.
                        if (moved < SmallRead)
                        {
                            break;
                        }

                        continue;
                    }

                    if (moved == 0)
                    {
                        destination.Shutdown(SocketShutdown.Send);
                        return PumpResult.Eof;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EAgain)
                    {
                        break;
                    }

                    if (errno != Errno.EIntr)
                    {
                        return PumpResult.Reset;
                    }
                }
            }
            finally
            {
                // A pipe that may still hold bytes of this connection must never serve another one.
                if (pipeEmpty)
                {
                    pipes.Return(pipe);
                }
                else
                {
                    pipe.Close();
                }
            }

            if (burst >= BurstLimit)
            {
                await Task.Yield();
            }
        }
    }

    /// <summary>Moves pipe → destination without blocking; returns how much went, or -1 when the destination failed.</summary>
    private static int DrainPipe(int readPipe, int destinationFd, int pending)
    {
        var done = 0;
        while (done < pending)
        {
            var moved = Fcntl.Splice(readPipe, 0, destinationFd, 0, (nuint)(pending - done), Fcntl.SpliceMove | Fcntl.SpliceNonBlock);
            if (moved > 0)
            {
                done += (int)moved;
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (moved < 0 && errno == Errno.EIntr)
            {
                continue;
            }

            return moved < 0 && errno == Errno.EAgain ? done : -1;
        }

        return done;
    }

    private static async Task<PumpResult?> SendRestAsync(int readPipe, Socket destination, int pending, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (pending > 0)
            {
                var read = ReadPipe(readPipe, buffer, pending);
                if (read <= 0)
                {
                    return PumpResult.Reset;
                }

                pending -= read;
                var sent = 0;
                while (sent < read)
                {
                    sent += await destination.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static unsafe int ReadPipe(int readPipe, byte[] buffer, int pending)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var read = Fcntl.Read(readPipe, p, (nuint)Math.Min(pending, buffer.Length));
                if (read >= 0 || Marshal.GetLastPInvokeError() != Errno.EIntr)
                {
                    return (int)read;
                }
            }
        }
    }
}
