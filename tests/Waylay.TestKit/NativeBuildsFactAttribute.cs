using Xunit;

namespace Waylay.TestKit;

/// <summary>
/// A kernel fact that needs both published NativeAOT builds, the sidecar (<c>WAYLAY_PROXY_BINARY</c>) and the control
/// plane (<c>WAYLAY_CONTROL_BINARY</c>); ./test.sh sets both, so CI never skips it. Run alone it skips and says how.
/// </summary>
public sealed class NativeBuildsFactAttribute : FactAttribute
{
    public NativeBuildsFactAttribute()
    {
        if (NetnsSupport.SkipReason is { } reason)
        {
            Skip = reason;
        }
        else if (TestProxy.NativeSidecarPath is null || ImageLayout.NativeControlPath is null)
        {
            Skip = "needs the NativeAOT sidecar and control plane: `./waylay up --help` publishes both; then set " +
                "WAYLAY_PROXY_BINARY=$PWD/.build/sidecar/waylay-proxy WAYLAY_CONTROL_BINARY=$PWD/.build/control/waylay-control (./test.sh does)";
        }
    }
}
