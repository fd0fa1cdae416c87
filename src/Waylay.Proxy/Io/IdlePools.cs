namespace Waylay.Proxy.Io;

/// <summary>Every <see cref="IdlePool{T}"/>, shed and cleared together by the heap's trimmer (Lifecycle/HeapTrimmer.cs).</summary>
internal static class IdlePools
{
    /// <summary>
    /// Idle objects kept per pool at most: as many requests as a burst of 9,000 held connections has in flight at a
    /// sidecar, most of the time (600–6,000 at the server sidecar in the benchmark's bursts); one beyond it is left to
    /// the GC, as .NET's pooling builder leaves all but one per thread and one per core.
    /// </summary>
    public const int Capacity = 8192;

    private static readonly Lock Gate = new();
    private static readonly List<(Action Shed, Action Clear)> Pools = [];

    /// <summary>Once an interval: each pool lets go of what it kept idle through the whole interval.</summary>
    public static void Shed()
    {
        foreach (var pool in Snapshot())
        {
            pool.Shed();
        }
    }

    /// <summary>When the proxy has fallen quiet: every idle object goes (those a thread keeps for its next take stay, one per pool and thread).</summary>
    public static void Clear()
    {
        foreach (var pool in Snapshot())
        {
            pool.Clear();
        }
    }

    internal static void Register(Action shed, Action clear)
    {
        lock (Gate)
        {
            Pools.Add((shed, clear));
        }
    }

    private static (Action Shed, Action Clear)[] Snapshot()
    {
        lock (Gate)
        {
            return [.. Pools];
        }
    }
}
