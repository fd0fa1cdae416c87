using Waylay.Proxy.Telemetry.Http;
using Xunit;

namespace Waylay.Proxy.Telemetry.Tests.Http;

public sealed class IstioPeerTests
{
    [Fact]
    public void FromLabels_UsesAppAndVersion_AndIstiosCanonicalFallbacks()
    {
        var peer = IstioPeer.FromLabels("reviews-v2", "bookinfo", new Dictionary<string, string> { ["app"] = "reviews", ["version"] = "v2" });
        Assert.Equal(new IstioPeer("reviews-v2", "bookinfo", "reviews", "v2", "unknown", "reviews", "v2", "Kubernetes"), peer);
    }

    [Fact]
    public void FromLabels_CanonicalLabelsWin_AndMissingOnesFallBack()
    {
        var canonical = IstioPeer.FromLabels("rev", "ns", new Dictionary<string, string>
        {
            ["app"] = "reviews",
            ["service.istio.io/canonical-name"] = "reviews-svc",
            ["service.istio.io/canonical-revision"] = "r7",
        });
        Assert.Equal(("reviews-svc", "r7", "unknown"), (canonical.CanonicalService, canonical.CanonicalRevision, canonical.Version));

        var bare = IstioPeer.FromLabels("job-1", "ns", new Dictionary<string, string>());
        Assert.Equal(("unknown", "job-1", "latest"), (bare.App, bare.CanonicalService, bare.CanonicalRevision));
    }
}
