namespace Waylay.Proxy.Telemetry.Http;

/// <summary>A fixed-bucket histogram updated with Interlocked: recording allocates nothing and never locks.</summary>
public sealed class Histogram(double[] bounds)
{
    private readonly long[] _counts = new long[bounds.Length + 1];
    private long _count;
    private double _sum;

    /// <summary>
    /// Envoy's default histogram buckets, which Istio's telemetry v2 leaves in place for all three of its histograms
    /// (duration in ms, request and response sizes in bytes) unless <c>sidecar.istio.io/statsHistogramBuckets</c> says otherwise.
    /// </summary>
    public static readonly double[] IstioDefault =
        [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    public double[] Bounds { get; } = bounds;

    public long Count => Volatile.Read(ref _count);

    public double Sum => Volatile.Read(ref _sum);

    /// <summary>Samples in bucket <paramref name="index"/> alone (index Bounds.Length is the +Inf overflow).</summary>
    public long BucketCount(int index) => Volatile.Read(ref _counts[index]);

    public void Record(double value)
    {
        // Prometheus buckets are "less than or equal": a value on a bound counts in that bound's bucket.
        var index = Array.BinarySearch(Bounds, value);
        if (index < 0)
        {
            index = ~index;
        }

        Interlocked.Increment(ref _counts[index]);
        Interlocked.Increment(ref _count);
        double seen, next;
        do
        {
            seen = Volatile.Read(ref _sum);
            next = seen + value;
        }
        while (Interlocked.CompareExchange(ref _sum, next, seen) != seen);
    }
}
