using Waylay.Proxy.Io;
using Xunit;

namespace Waylay.Proxy.Tests.Io;

/// <summary>
/// <see cref="IdlePool{T}"/>: what is given back is taken again (this thread's slot first), at most
/// <see cref="IdlePools.Capacity"/> wait shared, and a shed lets go of exactly what no taker needed since the last one.
/// Serial with the trimmer's tests, which shed and clear every pool.
/// </summary>
[Collection(IdlePoolsCollection.Name)]
public sealed class IdlePoolTests
{
    [Fact]
    public void Returned_IsTakenAgain_ThisThreadsFirst_ThenNewOnesAreMade()
    {
        var pool = new IdlePool<object>();
        object? slot = null;
        object first = new(), second = new();
        pool.Return(ref slot, first);
        pool.Return(ref slot, second);
        Assert.Same(first, slot);
        Assert.Equal(1, pool.Count);

        Assert.True(pool.TryRent(ref slot, out var again));
        Assert.Same(first, again);
        Assert.True(pool.TryRent(ref slot, out again));
        Assert.Same(second, again);
        Assert.False(pool.TryRent(ref slot, out _));
    }

    [Fact]
    public void Shed_LetsGoOfWhatStayedIdleThroughTheInterval_KeepsWhatWasUsed()
    {
        var pool = new IdlePool<object>();
        object? slot = null;
        Fill(pool, ref slot, 10); // one in the slot, nine shared
        pool.Shed(); // starts an interval: none has yet been idle through a whole one
        Assert.Equal(9, pool.Count);

        // Three taken at once (the slot's, then two shared: seven stayed idle throughout), then given back.
        var taken = new List<object>();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(pool.TryRent(ref slot, out var item));
            taken.Add(item);
        }

        foreach (var item in taken)
        {
            pool.Return(ref slot, item);
        }

        Assert.Equal(9, pool.Count);
        pool.Shed();
        Assert.Equal(2, pool.Count);
        pool.Shed(); // untouched through the next interval: gone
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void Return_BeyondCapacity_IsLeftToTheGc_AndClearLetsGoOfAll()
    {
        var pool = new IdlePool<object>();
        object? slot = null;
        Fill(pool, ref slot, IdlePools.Capacity + 11);
        Assert.Equal(IdlePools.Capacity, pool.Count);
        IdlePools.Clear();
        Assert.Equal(0, pool.Count);
    }

    private static void Fill(IdlePool<object> pool, ref object? slot, int count)
    {
        for (var i = 0; i < count; i++)
        {
            pool.Return(ref slot, new object());
        }
    }
}

/// <summary>The tests that fill, shed or clear the process's idle pools, run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class IdlePoolsCollection
{
    public const string Name = "idle pools";
}
