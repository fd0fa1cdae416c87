namespace Waylay.Control.Sources.Kubernetes;

/// <summary>
/// client-go's reflector back-off: exponential from <c>Initial</c> to <c>Max</c>, each wait jittered by up to
/// <c>Jitter</c> of itself so a restarted API server is not hit by every watcher at the same instant; reset after
/// something worked (a list, or a watch that delivered an event).
/// </summary>
internal sealed class WatchBackoff(TimeSpan initial, TimeSpan max, double jitter, Random random)
{
    private TimeSpan _next = TimeSpan.Zero;

    public TimeSpan Next()
    {
        if (_next == TimeSpan.Zero)
        {
            _next = initial;
        }

        var wait = _next + (_next * (jitter * random.NextDouble()));
        _next = TimeSpan.FromTicks(Math.Min(max.Ticks, _next.Ticks * 2));
        return wait;
    }

    public void Reset() => _next = TimeSpan.Zero;
}
