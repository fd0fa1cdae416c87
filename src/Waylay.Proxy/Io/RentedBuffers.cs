using System.Buffers;
using System.Runtime.CompilerServices;

namespace Waylay.Proxy.Io;

/// <summary>
/// The pooled buffers the proxy's connections hold right now: socket readers and writers (<see cref="SocketPipeReader"/>,
/// <see cref="SocketPipeWriter"/>) and HTTP/1 heads rent through here, so <c>/stats/prometheus</c> can say how many
/// are out (<c>waylay_server_memory_buffers_rented</c>). A keep-alive connection waiting for its next request must
/// hold none (docs/designs/proxy.md, "Memory"); this is how that is checked from outside, on the real binary.
/// Each thread counts into its own tally (no lock, no shared cache line on the request path); a buffer rented on one
/// thread and returned on another leaves +1 in one tally and −1 in the other, and the sum over all tallies is exact.
/// </summary>
internal static class RentedBuffers
{
    private static readonly List<Tally> Tallies = [];

    [ThreadStatic]
    private static Tally? _mine;

    public static byte[] Rent(int minimumLength)
    {
        var array = ArrayPool<byte>.Shared.Rent(minimumLength);
        Count(1, array.Length);
        return array;
    }

    public static void Return(byte[] array)
    {
        Count(-1, -array.Length);
        ArrayPool<byte>.Shared.Return(array);
    }

    public static T[] Rent<T>(int minimumLength)
    {
        var array = ArrayPool<T>.Shared.Rent(minimumLength);
        Count(1, (long)array.Length * Unsafe.SizeOf<T>());
        return array;
    }

    public static void Return<T>(T[] array)
    {
        Count(-1, -(long)array.Length * Unsafe.SizeOf<T>());
        ArrayPool<T>.Shared.Return(array);
    }

    /// <summary>Buffers rented and not given back, and their bytes, over every thread (a gauge: read without stopping anyone).</summary>
    public static (long Buffers, long Bytes) Current()
    {
        long buffers = 0, bytes = 0;
        lock (Tallies)
        {
            foreach (var tally in Tallies)
            {
                buffers += Volatile.Read(ref tally.Buffers);
                bytes += Volatile.Read(ref tally.Bytes);
            }
        }

        return (buffers, bytes);
    }

    private static void Count(int buffers, long bytes)
    {
        var tally = _mine ?? Register();
        tally.Buffers += buffers; // only this thread writes its tally
        tally.Bytes += bytes;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Tally Register()
    {
        var tally = new Tally();
        lock (Tallies)
        {
            Tallies.Add(tally);
        }

        return _mine = tally;
    }

    private sealed class Tally
    {
        public long Buffers;
        public long Bytes;
    }
}
