namespace Waylay.Proxy.Io;

/// <summary>
/// Objects a request takes and gives back (its async methods' boxes, its exchange), kept idle for the next request
/// in numbers a burst needs: a burst of thousands of requests at once then allocates as many as were in flight
/// together, not one per request, and what it allocated is used again rather than left to die in gen2, where
/// requests' objects that outlived the burst's gen0 collections go (docs/designs/proxy.md, "Memory"). What a burst
/// leaves idle is given back soon after: each second a pool lets go of the idle objects no request needed in that
/// second (<see cref="IdlePools.Shed"/>), and all of them when the proxy falls quiet (<see cref="IdlePools.Clear"/>).
/// </summary>
internal static class IdlePool<T>
    where T : class
{
    private static readonly Lock Gate = new();
    private static readonly Stack<T> Idle = new();

    // The fewest idle since the last shed: that many were not needed in the whole interval.
    private static int _lowWater;

    // The common case, an object given back on the thread where the next is taken, takes no lock.
    [ThreadStatic]
    private static T? _threadIdle;

    static IdlePool() => IdlePools.Register(Shed, Clear);

    public static int Count
    {
        get
        {
            lock (Gate)
            {
                return Idle.Count;
            }
        }
    }

    public static bool TryRent(out T item)
    {
        if (_threadIdle is { } mine)
        {
            _threadIdle = null;
            item = mine;
            return true;
        }

        lock (Gate)
        {
            if (Idle.TryPop(out var pooled))
            {
                _lowWater = Math.Min(_lowWater, Idle.Count);
                item = pooled;
                return true;
            }

            _lowWater = 0;
        }

        item = null!;
        return false;
    }

    /// <summary>Keeps <paramref name="item"/> for a later <see cref="TryRent"/>: the caller has cleared what it referenced.</summary>
    public static void Return(T item)
    {
        if (_threadIdle is null)
        {
            _threadIdle = item;
            return;
        }

        lock (Gate)
        {
            if (Idle.Count < IdlePools.Capacity)
            {
                Idle.Push(item);
            }
        }
    }

    /// <summary>Lets go of as many idle objects as stayed idle through the whole interval since the last shed.</summary>
    internal static void Shed()
    {
        lock (Gate)
        {
            for (var unused = _lowWater; unused > 0; unused--)
            {
                Idle.Pop();
            }

            if (Idle.Count == 0)
            {
                Idle.TrimExcess();
            }

            _lowWater = Idle.Count;
        }
    }

    internal static void Clear()
    {
        lock (Gate)
        {
            Idle.Clear();
            Idle.TrimExcess();
            _lowWater = 0;
        }
    }
}
