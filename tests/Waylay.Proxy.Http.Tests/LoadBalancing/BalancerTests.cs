using Waylay.Proxy.LoadBalancing;
using Xunit;

namespace Waylay.Proxy.Http.Tests.LoadBalancing;

public sealed class BalancerTests
{
    [Fact]
    public void WeightedPicker_FollowsTheWeights()
    {
        var picker = new WeightedPicker([50, 0, 30, 20]);
        var counts = new int[4];
        var random = new Random(5);
        for (var i = 0; i < 10_000; i++)
        {
            counts[picker.Pick(random)]++;
        }

        Assert.InRange(counts[0], 4700, 5300);
        Assert.Equal(0, counts[1]);
        Assert.InRange(counts[2], 2700, 3300);
        Assert.InRange(counts[3], 1700, 2300);
    }

    [Fact]
    public void WeightedPicker_RefusesNoWeight()
    {
        Assert.Throws<ArgumentException>(() => new WeightedPicker([0, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightedPicker([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightedPicker([-1, 2]));
    }

    [Fact]
    public void WeightedPicker_EdgesOfTheRange_MapToTheRightIndex()
    {
        // a Random that returns the given draws exercises the binary search's boundaries
        var picker = new WeightedPicker([1, 2, 3]);
        Assert.Equal([0, 1, 1, 2, 2, 2], Enumerable.Range(0, 6).Select(d => picker.Pick(new FixedRandom(d))).ToArray());
    }

    [Fact]
    public void LeastRequest_PicksTheLessLoadedOfTwo_AndAvoidsTheBusiest()
    {
        var balancer = new LeastRequestBalancer(new Random(11));
        long[] load = [0, 0, 0, 50];
        var endpoints = new[] { 0, 1, 2, 3 };
        var counts = new int[4];
        for (var i = 0; i < 3000; i++)
        {
            counts[balancer.Pick(endpoints, e => load[e])]++;
        }

        // the busiest is only chosen when both draws are it, which two distinct draws never are
        Assert.Equal(0, counts[3]);
        Assert.All(counts[..3], c => Assert.InRange(c, 800, 1200));
    }

    [Fact]
    public void LeastRequest_TwoChoices_AreDistinct()
    {
        // with two endpoints the pair is always both, so the less loaded always wins
        var balancer = new LeastRequestBalancer(new Random(3));
        long[] load = [5, 1];
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(1, balancer.Pick(new[] { 0, 1 }, e => load[e]));
        }
    }

    [Fact]
    public void Random_IsUniform_AndSeeded()
    {
        var counts = new int[3];
        var balancer = new RandomBalancer(new Random(8));
        for (var i = 0; i < 3000; i++)
        {
            counts[balancer.Pick(new[] { 0, 1, 2 })]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 900, 1100));
        var a = new RandomBalancer(new Random(42));
        var b = new RandomBalancer(new Random(42));
        var items = Enumerable.Range(0, 10).ToArray();
        Assert.Equal(Enumerable.Range(0, 20).Select(_ => a.Pick(items)), Enumerable.Range(0, 20).Select(_ => b.Pick(items)));
    }

    private sealed class FixedRandom(int value) : Random
    {
        public override int Next(int maxValue) => value;
    }
}
