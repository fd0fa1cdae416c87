using Waylay.Proxy.Telemetry.Http;
using Xunit;

namespace Waylay.Proxy.Telemetry.Tests.Http;

public sealed class HistogramTests
{
    [Fact]
    public void ValueOnABound_CountsInThatBucket_LargerOnesInfinity()
    {
        var histogram = new Histogram([1, 5]);
        foreach (var value in new[] { 0.5, 1, 1.5, 5, 7, 1e9 })
        {
            histogram.Record(value);
        }

        Assert.Equal([2L, 2, 2], Enumerable.Range(0, 3).Select(histogram.BucketCount));
        Assert.Equal(6, histogram.Count);
        Assert.Equal(0.5 + 1 + 1.5 + 5 + 7 + 1e9, histogram.Sum);
    }

    /// <summary>Recorded from many threads at once (the event loops, on every CPU): nothing is lost between the stripes.</summary>
    [Fact]
    public async Task ConcurrentRecords_AddUpExactly()
    {
        var histogram = new Histogram(Histogram.IstioDefault);
        const int threads = 8;
        const int each = 20_000;
        using var start = new Barrier(threads);
        await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < each; i++)
            {
                histogram.Record(t % 2 == 0 ? 3 : 2000); // whole numbers: the sum is exact in any order
            }
        }, TaskCreationOptions.LongRunning)));

        Assert.Equal(threads * each, histogram.Count);
        Assert.Equal((threads / 2) * each, histogram.BucketCount(Array.IndexOf(Histogram.IstioDefault, 5.0)));
        Assert.Equal((threads / 2) * each, histogram.BucketCount(Array.IndexOf(Histogram.IstioDefault, 2500.0)));
        Assert.Equal((threads / 2 * each * 3.0) + (threads / 2 * each * 2000.0), histogram.Sum);
    }
}
