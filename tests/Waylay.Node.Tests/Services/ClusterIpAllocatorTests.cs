using System.Net;
using Waylay.Node.Services;

namespace Waylay.Node.Tests.Services;

public sealed class ClusterIpAllocatorTests
{
    [Fact]
    public void KubernetesAndKubeDns_HaveKubeadmsAddresses_OthersTheLowestFreeAboveThem()
    {
        var allocator = new ClusterIpAllocator();

        Assert.Equal(IPAddress.Parse("10.96.0.11"), allocator.Allocate("default/details", null));
        Assert.Equal(IPAddress.Parse("10.96.0.10"), allocator.Allocate("kube-system/kube-dns", null));
        Assert.Equal(IPAddress.Parse("10.96.0.1"), allocator.Allocate("default/kubernetes", null));
        Assert.Equal(IPAddress.Parse("10.96.0.12"), allocator.Allocate("default/ratings", null));
        Assert.Equal(IPAddress.Parse("10.96.0.11"), allocator.Allocate("default/details", null));

        allocator.Release("default/details");
        Assert.Equal(IPAddress.Parse("10.96.0.11"), allocator.Allocate("default/reviews", null));
    }

    [Fact]
    public void ARequestedAddress_MustBeFreeAndInTheServiceCidr()
    {
        var allocator = new ClusterIpAllocator();
        Assert.Equal(IPAddress.Parse("10.96.7.7"), allocator.Allocate("default/a", IPAddress.Parse("10.96.7.7")));

        var taken = Assert.Throws<ArgumentException>(() => allocator.Allocate("default/b", IPAddress.Parse("10.96.7.7")));
        Assert.Contains("already service default/a's", taken.Message);
        var outside = Assert.Throws<ArgumentException>(() => allocator.Allocate("default/b", IPAddress.Parse("10.97.0.1")));
        Assert.Contains("outside the service CIDR 10.96.0.0/16", outside.Message);
    }
}
