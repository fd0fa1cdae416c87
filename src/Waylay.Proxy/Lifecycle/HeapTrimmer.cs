using Waylay.Linux;
using Waylay.Proxy.Io;

namespace Waylay.Proxy.Lifecycle;

/// <summary>
/// Gives the GC heap's free memory back when the proxy falls quiet after work, as Envoy's <c>shrink_heap</c> overload
/// action hands tcmalloc's free pages back. With thousands of requests in flight at once, each request's objects
/// outlive several gen0 collections and are promoted to gen2, where they die when the burst ends and stay until the
/// next gen2 collection, which a quiet proxy does not make; and regions the GC has emptied stay committed until a
/// later collection decommits them (docs/designs/proxy.md, "Memory"). Once a second this looks at how much the
/// process allocated since the last look: when that is under <see cref="QuietBytes"/> (no traffic worth the name)
/// and at least <see cref="WorkBytes"/> were allocated since the last trim, it collects all generations aggressively
/// (compacting, emptied regions decommitted at once). A proxy under load allocates megabytes a second and never
/// trims; one that is idle trims once after each burst, a collection of its live objects only. Each look also lets
/// the idle pools of requests' objects (Io/IdlePool.cs) drop what stayed idle through the last interval, busy or not,
/// and a trim empties them first, so that what a burst left pooled is collected with the rest.
/// It also gives back the binary's own mapped pages (<see cref="ImagePages"/>): at its first look once the proxy is
/// ready (whatever the traffic: what the start ran, and what runs once just after it, never runs again), and at each
/// trim; what the proxy runs afterwards is mapped again from the page cache as it runs (docs/designs/proxy.md,
/// "Memory"). The start itself releases them too (<see cref="ReleaseImage"/>) after each of its larger one-time
/// phases and at readiness, so that its pages never stack up and a burst that comes with readiness (a pod is sent
/// traffic as soon as it is ready) does not land on top of them.
/// </summary>
internal sealed class HeapTrimmer : IDisposable
{
    /// <summary>Allocated in one interval below which the proxy counts as quiet: a few dozen requests a second at
    /// ~600 bytes each. Kept this low because a trim pauses the proxy (7–10 ms with 1,000 connections held, up to
    /// ~130 ms with 9,000): it must land on an idle proxy, not on one serving steady light traffic.</summary>
    public const long QuietBytes = 32 * 1024;

    /// <summary>Allocated since the last trim below which there is nothing worth giving back.</summary>
    public const long WorkBytes = 4 * 1024 * 1024;

    private static long _trims;
    private static long _imageReleases;

    private readonly ITimer _timer;
    private readonly Func<bool> _ready;
    private long _lastLook = GC.GetTotalAllocatedBytes();
    private long _lastTrim = GC.GetTotalAllocatedBytes();
    private bool _started;

    /// <param name="ready">Whether the proxy has finished starting (listening and configured); null: from now.</param>
    public HeapTrimmer(TimeProvider time, TimeSpan interval, Func<bool>? ready = null)
    {
        _ready = ready ?? (static () => true);
        _timer = time.CreateTimer(static s => ((HeapTrimmer)s!).Check(), this, interval, interval);
    }

    /// <summary>How many collections this has made since start (on /stats/prometheus).</summary>
    public static long Trims => Interlocked.Read(ref _trims);

    /// <summary>Whether this trimmer has released the binary's pages since the proxy became ready.</summary>
    public bool ReleasedImage => _started;

    /// <summary>How many times this has released the binary's mapped pages since start.</summary>
    public static long ImageReleases => Interlocked.Read(ref _imageReleases);

    /// <summary>Whether to trim now: the process has allocated <paramref name="total"/> bytes since start, had allocated
    /// <paramref name="atLastLook"/> one interval ago and <paramref name="atLastTrim"/> at the last trim.</summary>
    public static bool ShouldTrim(long total, long atLastLook, long atLastTrim) =>
        total - atLastLook < QuietBytes && total - atLastTrim >= WorkBytes;

    /// <summary>
    /// Unmaps the binary's read-only pages now, counted on /stats/prometheus: about a millisecond (a read of
    /// /proc/self/smaps and a madvise per mapping).
    /// </summary>
    public static void ReleaseImage()
    {
        ImagePages.Release();
        Interlocked.Increment(ref _imageReleases);
    }

    public void Dispose() => _timer.Dispose();

    private void Check()
    {
        var total = GC.GetTotalAllocatedBytes();
        var trim = ShouldTrim(total, _lastLook, _lastTrim);
        var startedNow = !_started && _ready();
        _lastLook = total;
        IdlePools.Shed();
        if (trim)
        {
            _lastTrim = total;
            Interlocked.Increment(ref _trims);
            IdlePools.Clear(); // what a burst left pooled goes with the rest
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }

        if (trim || startedNow)
        {
            _started |= startedNow;
            ReleaseImage();
        }
    }
}
