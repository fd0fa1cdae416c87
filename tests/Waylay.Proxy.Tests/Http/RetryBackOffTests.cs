using Waylay.Proxy.Http.Policy;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Tests.Http;

/// <summary>Envoy's default retry back-off: fully jittered below (2ⁿ − 1) × 25 ms, capped at 250 ms.</summary>
public sealed class RetryBackOffTests
{
    [Theory]
    [InlineData(1, 25)]
    [InlineData(2, 75)]
    [InlineData(3, 175)]
    [InlineData(4, 250)]
    [InlineData(30, 250)]
    public void EachRetry_WaitsBelowItsCeiling_AndUsesTheWholeRange(int retry, int ceilingMs)
    {
        var random = new Random(42);
        var waits = Enumerable.Range(0, 2000).Select(_ => RetryBackOff.Before(retry, random).TotalMilliseconds).ToList();

        Assert.All(waits, w => Assert.InRange(w, 0, ceilingMs - double.Epsilon));
        Assert.True(waits.Min() < ceilingMs * 0.05, $"the smallest of 2000 waits was {waits.Min()} ms: not jittered down to ~0");
        Assert.True(waits.Max() > ceilingMs * 0.95, $"the largest of 2000 waits was {waits.Max()} ms: the range up to {ceilingMs} ms is not used");
    }

    [Fact]
    public void RetryZero_IsNotARetry() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryBackOff.Before(0, Random.Shared));
}
