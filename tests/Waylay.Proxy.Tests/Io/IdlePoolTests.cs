using Waylay.Proxy.Io;
using Xunit;

namespace Waylay.Proxy.Tests.Io;

/// <summary>
/// <see cref="IdlePool{T}"/>: what is given back is taken again, at most <see cref="IdlePools.Capacity"/> wait idle,
/// and a shed lets go of exactly what no taker needed since the last one. Serial with the trimmer's tests, which
/// shed and clear every pool.
/// </summary>
[Collection(IdlePoolsCollection.Name)]
public sealed class IdlePoolTests
{
    [Fact]
    public void Returned_IsTakenAgain_ThenNewOnesAreMade()
    {
        var given = new Taken();
        IdlePool<Taken>.Return(given);
        Assert.True(IdlePool<Taken>.TryRent(out var again));
        Assert.Same(given, again);
        Assert.False(IdlePool<Taken>.TryRent(out _));
    }

    [Fact]
    public void Shed_LetsGoOfWhatStayedIdleThroughTheInterval_KeepsWhatWasUsed()
    {
        Fill<Shed>(10); // one kept for this thread, nine shared
        IdlePool<Shed>.Shed(); // starts an interval: none has yet been idle through a whole one
        Assert.Equal(9, IdlePool<Shed>.Count);

        // Three taken at once (the thread's own, then two shared: seven stayed idle throughout), then given back.
        var taken = new List<Shed>();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(IdlePool<Shed>.TryRent(out var item));
            taken.Add(item);
        }

        taken.ForEach(IdlePool<Shed>.Return);
        Assert.Equal(9, IdlePool<Shed>.Count);

        IdlePool<Shed>.Shed();
        Assert.Equal(2, IdlePool<Shed>.Count);
        IdlePool<Shed>.Shed(); // untouched through the next interval: gone
        Assert.Equal(0, IdlePool<Shed>.Count);
    }

    [Fact]
    public void Return_BeyondCapacity_IsLeftToTheGc_AndClearLetsGoOfAll()
    {
        Fill<Full>(IdlePools.Capacity + 11);
        Assert.Equal(IdlePools.Capacity, IdlePool<Full>.Count);
        IdlePools.Clear();
        Assert.Equal(0, IdlePool<Full>.Count);
    }

    private static void Fill<T>(int count)
        where T : class, new()
    {
        for (var i = 0; i < count; i++)
        {
            IdlePool<T>.Return(new T());
        }
    }

    // A type per test: each pool is the type's own.
    private sealed class Taken;

    private sealed class Shed;

    private sealed class Full;
}

/// <summary>The tests that fill, shed or clear the process's idle pools, run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class IdlePoolsCollection
{
    public const string Name = "idle pools";
}
