using Waylay.Capture.Apply;
using Xunit;

namespace Waylay.Capture.Tests.Apply;

public sealed class NetAdminCapabilityTests
{
    [Fact]
    public void Require_WithoutNetAdmin_NamesTheCapabilitiesAndWhereTheyAreGranted()
    {
        var error = Assert.Throws<CaptureException>(() => NetAdminCapability.Require("Name:\twaylay\nCapEff:\t00000000a80405fb\n"));

        Assert.Contains("CAP_NET_ADMIN and CAP_NET_RAW", error.Message);
        Assert.Contains("securityContext.capabilities.add", error.Message);
    }

    [Fact]
    public void Require_WithNetAdmin_Passes() =>
        NetAdminCapability.Require("Name:\twaylay\nCapEff:\t0000000000001000\n");
}
