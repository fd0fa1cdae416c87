namespace Waylay.Proxy.Io;

/// <summary>
/// Objects a request takes and gives back (its async methods' boxes, its exchange), kept idle for the next request
/// in numbers a burst needs: a burst of thousands of requests at once then allocates as many as were in flight
/// together, not one per request, and what it allocated is used again rather than left to die in gen2, where
/// requests' objects that outlived the burst's gen0 collections go (docs/designs/proxy.md, "Memory"). What a burst
/// leaves idle is given back soon after: each second a pool lets go of the idle objects no request needed in that
/// second (<see cref="IdlePools.Shed"/>), and all of them when the proxy falls quiet (<see cref="IdlePools.Clear"/>).
/// </summary>
/// <remarks>
/// One static instance per kind of object, in the owning type, with the owner's <c>[ThreadStatic]</c> slot passed by
/// reference: the common case, an object given back on the thread where the next is taken, takes no lock. The pool is
/// not a static generic class because a generic over a reference type shares its code, and each of its static
/// accesses then went through a runtime lookup: ~0.5 % of all samples at the maximum rate (perf, docs/benchmarks.md).
/// </remarks>
internal sealed class IdlePool<T>
    where T : class
{
    private readonly Lock _gate = new();
    private readonly Stack<T> _idle = new();

    // The fewest idle since the last shed: that many were not needed in the whole interval.
    private int _lowWater;

    public IdlePool() => IdlePools.Register(Shed, Clear);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>This thread's idle object (<paramref name="threadIdle"/>, the owner's thread-static slot), else a shared one.</summary>
    public bool TryRent(ref T? threadIdle, out T item)
    {
        if (threadIdle is { } mine)
        {
            threadIdle = null;
            item = mine;
            return true;
        }

        lock (_gate)
        {
            if (_idle.TryPop(out var pooled))
            {
                _lowWater = Math.Min(_lowWater, _idle.Count);
                item = pooled;
                return true;
            }

            _lowWater = 0;
        }

        item = null!;
        return false;
    }

    /// <summary>Keeps <paramref name="item"/> for a later <see cref="TryRent"/>: the caller has cleared what it referenced.</summary>
    public void Return(ref T? threadIdle, T item)
    {
        if (threadIdle is null)
        {
            threadIdle = item;
            return;
        }

        lock (_gate)
        {
            if (_idle.Count < IdlePools.Capacity)
            {
                _idle.Push(item);
            }
        }
    }

    /// <summary>Lets go of as many idle objects as stayed idle through the whole interval since the last shed.</summary>
    internal void Shed()
    {
        lock (_gate)
        {
            for (var unused = _lowWater; unused > 0; unused--)
            {
                _idle.Pop();
            }

            if (_idle.Count == 0)
            {
                _idle.TrimExcess();
            }

            _lowWater = _idle.Count;
        }
    }

    internal void Clear()
    {
        lock (_gate)
        {
            _idle.Clear();
            _idle.TrimExcess();
            _lowWater = 0;
        }
    }
}
