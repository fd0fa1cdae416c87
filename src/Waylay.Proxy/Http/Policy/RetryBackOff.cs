namespace Waylay.Proxy.Http.Policy;

/// <summary>
/// The pause before a retry, as Envoy makes it when the route sets none (Istio's VirtualService has no field for it):
/// fully jittered exponential back-off from a 25 ms base, capped at ten times that. Retry n waits a uniformly random
/// time below (2ⁿ − 1) × 25 ms (25, 75, 175 ms, …), never 250 ms or more, so a failing endpoint's callers do not all
/// come back at once.
/// </summary>
internal static class RetryBackOff
{
    public static readonly TimeSpan BaseInterval = TimeSpan.FromMilliseconds(25);
    public static readonly TimeSpan MaxInterval = TimeSpan.FromMilliseconds(250);

    /// <param name="retry">1 for the first retry (the second try).</param>
    public static TimeSpan Before(int retry, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retry, 1);
        var ceiling = Math.Min(((1L << Math.Min(retry, 20)) - 1) * BaseInterval.Ticks, MaxInterval.Ticks);
        return TimeSpan.FromTicks(random.NextInt64(ceiling));
    }
}
