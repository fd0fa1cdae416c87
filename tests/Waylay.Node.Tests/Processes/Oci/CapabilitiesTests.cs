using Waylay.Node.Processes.Oci;

namespace Waylay.Node.Tests.Processes.Oci;

public sealed class CapabilitiesTests
{
    [Fact]
    public void IstioInitContainer_DropAllAddNetAdminNetRaw_HasExactlyThoseTwo() =>
        Assert.Equal(["CAP_NET_ADMIN", "CAP_NET_RAW"], Capabilities.For(["NET_ADMIN", "NET_RAW"], ["ALL"], privileged: false));

    [Fact]
    public void IstioProxy_DropAll_HasNone() =>
        Assert.Empty(Capabilities.For([], ["ALL"], privileged: false));

    [Fact]
    public void NoSecurityContext_HasContainerdsDefaults_AndDropRemovesOne()
    {
        Assert.Equal(Capabilities.Defaults.Select(c => "CAP_" + c), Capabilities.For([], [], privileged: false));
        Assert.DoesNotContain("CAP_NET_RAW", Capabilities.For([], ["net_raw"], privileged: false));
    }

    [Fact]
    public void Privileged_HasEveryCapabilityTheKernelKnows() =>
        Assert.Equal(int.Parse(File.ReadAllText("/proc/sys/kernel/cap_last_cap").Trim(), System.Globalization.CultureInfo.InvariantCulture) + 1,
            Capabilities.For([], ["ALL"], privileged: true).Count);
}
