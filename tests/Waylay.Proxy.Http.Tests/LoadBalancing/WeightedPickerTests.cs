using Waylay.Proxy.LoadBalancing;
using Xunit;

namespace Waylay.Proxy.Http.Tests.LoadBalancing;

public sealed class WeightedPickerTests
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

    private sealed class FixedRandom(int value) : Random
    {
        public override int Next(int maxValue) => value;
    }
}
