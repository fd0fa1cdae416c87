using Xunit;

namespace Waylay.TestKit;

/// <summary>
/// A kernel fact that also needs the published NativeAOT sidecar (<c>WAYLAY_PROXY_BINARY</c>, which ./test.sh sets, so
/// CI never skips it); run alone with <c>dotnet test</c> it skips and says how to provide it.
/// </summary>
public sealed class NativeSidecarFactAttribute : FactAttribute
{
    public NativeSidecarFactAttribute()
    {
        if (NetnsSupport.SkipReason is { } reason)
        {
            Skip = reason;
        }
        else if (TestProxy.NativeSidecarPath is null)
        {
            Skip = "needs the NativeAOT sidecar: ./waylay proxy --help publishes it; then set WAYLAY_PROXY_BINARY=$PWD/.build/sidecar/waylay-proxy (./test.sh does)";
        }
    }
}
