using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Waylay.TestKit;

/// <summary>Deterministic pseudo-random streams and their hashes, fast enough to push a GiB through a relay in a test.</summary>
public static class TestData
{
    /// <summary>Sends <paramref name="length"/> bytes of the stream seeded by <paramref name="seed"/>; returns their SHA-256.</summary>
    public static async Task<byte[]> SendRandomAsync(Socket socket, long length, ulong seed, CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        var state = seed | 1;
        try
        {
            for (var left = length; left > 0;)
            {
                var chunk = (int)Math.Min(left, 256 * 1024);
                Fill(buffer.AsSpan(0, chunk), ref state);
                hash.AppendData(buffer, 0, chunk);
                for (var sent = 0; sent < chunk;)
                {
                    sent += await socket.SendAsync(buffer.AsMemory(sent, chunk - sent), SocketFlags.None, cancellationToken);
                }

                left -= chunk;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return hash.GetHashAndReset();
    }

    /// <summary>Reads until EOF; returns the byte count and SHA-256 of everything read.</summary>
    public static async Task<(long Length, byte[] Hash)> ReceiveHashAsync(Socket socket, CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        long total = 0;
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (total, hash.GetHashAndReset());
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes (throws at an early EOF).</summary>
    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int count, CancellationToken cancellationToken = default)
    {
        var buffer = new byte[count];
        for (var done = 0; done < count;)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(done), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException($"EOF after {done} of {count} bytes");
            }

            done += read;
        }

        return buffer;
    }

    public static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken cancellationToken = default)
    {
        using var all = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken)) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return all.ToArray();
    }

    /// <summary>xorshift64*: not cryptographic, just fast and reproducible.</summary>
    private static void Fill(Span<byte> span, ref ulong state)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(span);
        for (var i = 0; i < words.Length; i++)
        {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            words[i] = state * 2685821657736338717UL;
        }

        for (var i = words.Length * 8; i < span.Length; i++)
        {
            span[i] = (byte)(state >> (8 * (i & 7)));
        }
    }
}
