using Microsoft.Extensions.Time.Testing;
using Xunit;
using Waylay.Proxy.Io;
using Waylay.Proxy.Lifecycle;
using Waylay.Proxy.Tests.Io;

namespace Waylay.Proxy.Tests.Lifecycle;

/// <summary><see cref="HeapTrimmer"/>: a full collection once the proxy falls quiet after work, never while it works.</summary>
[Collection(IdlePoolsCollection.Name)]
public sealed class HeapTrimmerTests
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [InlineData(100 * MiB, 100 * MiB, 90 * MiB, true)] // quiet after 10 MiB of work
    [InlineData(100 * MiB, 100 * MiB - 20 * 1024, 90 * MiB, true)] // a trickle of requests is still quiet
    [InlineData(100 * MiB, 100 * MiB - 200 * 1024, 90 * MiB, false)] // a few hundred requests a second: no pause for them
    [InlineData(100 * MiB, 95 * MiB, 90 * MiB, false)] // 5 MiB in the last interval: under load
    [InlineData(100 * MiB, 100 * MiB, 99 * MiB, false)] // quiet, but too little work since the last trim
    [InlineData(100 * MiB, 100 * MiB, 100 * MiB, false)] // idle and already trimmed
    public void ShouldTrim_OnlyWhenQuietAfterWork(long total, long atLastLook, long atLastTrim, bool trim) =>
        Assert.Equal(trim, HeapTrimmer.ShouldTrim(total, atLastLook, atLastTrim));

    [Fact]
    public void Tick_AfterABurstThenQuiet_CollectsEveryGeneration()
    {
        var time = new FakeTimeProvider();
        using var trimmer = new HeapTrimmer(time, TimeSpan.FromSeconds(1));
        var burst = new List<byte[]>();
        for (var i = 0; i < 80; i++)
        {
            burst.Add(new byte[64 * 1024]); // 5 MiB, more than WorkBytes
        }

        GC.KeepAlive(burst);
        var pool = new IdlePool<object>();
        object? slot = null;
        pool.Return(ref slot, new object());
        pool.Return(ref slot, new object()); // the second waits in the shared pool
        var trims = HeapTrimmer.Trims;
        var fullCollections = GC.CollectionCount(GC.MaxGeneration);

        // The first look sees the burst (not quiet); the next ones see quiet. Other tests of this process allocate
        // too, so give the quiet a few intervals to show.
        for (var tick = 0; tick < 50 && HeapTrimmer.Trims == trims; tick++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.True(HeapTrimmer.Trims > trims, "no trim after a 5 MiB burst and 50 quiet intervals");
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > fullCollections);
        Assert.Equal(0, pool.Count);
    }

    [Fact]
    public void Tick_UnderLoad_LetsIdlePoolsKeepOnlyWhatAnIntervalNeeded()
    {
        var time = new FakeTimeProvider();
        using var trimmer = new HeapTrimmer(time, TimeSpan.FromSeconds(1));
        var pool = new IdlePool<object>();
        object? slot = null;
        for (var i = 0; i < 5; i++)
        {
            pool.Return(ref slot, new object()); // one in the slot, four shared
        }

        // Busy through each interval (more than QuietBytes allocated): never a trim, only the pools' shed.
        var trims = HeapTrimmer.Trims;
        var load = new List<byte[]>();
        for (var tick = 1; tick <= 2; tick++)
        {
            load.Add(new byte[HeapTrimmer.QuietBytes * 4]);
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(tick == 1 ? 4 : 0, pool.Count); // the first look starts the interval; the second sheds it
        }

        GC.KeepAlive(load);
        Assert.Equal(trims, HeapTrimmer.Trims);
    }

    [Fact]
    public void FirstLook_OnceReady_ReleasesTheBinarysPages_NotBefore()
    {
        var time = new FakeTimeProvider();
        var ready = false;
        using var trimmer = new HeapTrimmer(time, TimeSpan.FromSeconds(1), () => ready);
        var releases = HeapTrimmer.ImageReleases;

        time.Advance(TimeSpan.FromSeconds(3));
        Assert.False(trimmer.ReleasedImage, "released while the proxy was still starting");

        ready = true;
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(trimmer.ReleasedImage, "no release at the first look once ready");
        Assert.True(HeapTrimmer.ImageReleases > releases);
    }
}
