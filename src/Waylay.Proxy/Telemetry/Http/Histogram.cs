using System.Numerics;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>
/// A fixed-bucket histogram updated with Interlocked: recording allocates nothing and never locks. The counts are
/// kept in stripes, one per CPU (up to 16), each on cache lines of its own, and added up when read: every request
/// records into three histograms of the same series from every event loop at once, and one shared copy had each
/// loop's core take the other's cache lines on every request. Envoy keeps its histograms per worker thread for the
/// same reason. The count is the buckets' total, so a scrape's <c>_count</c> always equals its <c>+Inf</c> bucket.
/// </summary>
internal sealed class Histogram
{
    private const int LongsPerLine = 8;
    private static readonly int StripeCount = (int)Math.Min(16, BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));

    // Per stripe: the buckets (the last one +Inf), then the sum's bits; padded to whole cache lines.
    private readonly long[] _cells;
    private readonly int _stride;

    public Histogram(double[] bounds)
    {
        Bounds = bounds;
        _stride = (bounds.Length + 2 + LongsPerLine - 1) / LongsPerLine * LongsPerLine;

        // One line of padding in front, so the first stripe shares no line with the array's header or a neighbour.
        _cells = new long[LongsPerLine + (StripeCount * _stride)];
    }

    /// <summary>
    /// Envoy's default histogram buckets, which Istio's telemetry v2 leaves in place for all three of its histograms
    /// (duration in ms, request and response sizes in bytes) unless <c>sidecar.istio.io/statsHistogramBuckets</c> says otherwise.
    /// </summary>
    public static readonly double[] IstioDefault =
        [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    public double[] Bounds { get; }

    public long Count
    {
        get
        {
            long total = 0;
            for (var i = 0; i <= Bounds.Length; i++)
            {
                total += BucketCount(i);
            }

            return total;
        }
    }

    public double Sum
    {
        get
        {
            double total = 0;
            for (var stripe = 0; stripe < StripeCount; stripe++)
            {
                total += BitConverter.Int64BitsToDouble(Volatile.Read(ref _cells[SumIndex(stripe)]));
            }

            return total;
        }
    }

    /// <summary>Samples in bucket <paramref name="index"/> alone (index Bounds.Length is the +Inf overflow).</summary>
    public long BucketCount(int index)
    {
        long total = 0;
        for (var stripe = 0; stripe < StripeCount; stripe++)
        {
            total += Volatile.Read(ref _cells[Base(stripe) + index]);
        }

        return total;
    }

    public void Record(double value)
    {
        // Prometheus buckets are "less than or equal": a value on a bound counts in that bound's bucket.
        var index = Array.BinarySearch(Bounds, value);
        if (index < 0)
        {
            index = ~index;
        }

        // The CPU the thread runs on now: a thread that moves meanwhile only makes two cores share a line for a moment.
        var stripe = Thread.GetCurrentProcessorId() & (StripeCount - 1);
        Interlocked.Increment(ref _cells[Base(stripe) + index]);
        ref var sum = ref _cells[SumIndex(stripe)];
        long seen;
        do
        {
            seen = Volatile.Read(ref sum);
        }
        while (Interlocked.CompareExchange(ref sum, BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value), seen) != seen);
    }

    private int Base(int stripe) => LongsPerLine + (stripe * _stride);

    private int SumIndex(int stripe) => Base(stripe) + Bounds.Length + 1;
}
