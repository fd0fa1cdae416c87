using System.Net;
using Microsoft.Extensions.Time.Testing;
using Waylay.Proxy.Configuration;
using Waylay.Mesh;
using Waylay.Proxy.Listeners;
using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Tests.Listeners;

public sealed class PodLabelsTests
{
    [Fact]
    public void Parse_ReadsTheKubeletsDownwardApiFormat_QuotedValuesAndEscapes()
    {
        var labels = PodLabels.Parse("app=\"istio-ingressgateway\"\nistio=\"ingressgateway\"\nservice.istio.io/canonical-name=\"a\\\"b\"\n\n");

        Assert.Equal("istio-ingressgateway", labels["app"]);
        Assert.Equal("ingressgateway", labels["istio"]);
        Assert.Equal("a\"b", labels["service.istio.io/canonical-name"]);
        Assert.Equal(3, labels.Count);
    }

    [Fact]
    public void Resolve_WithoutTheFile_TakesTheMeshWorkloadAtThePodsAddress()
    {
        using var pod = new PodAddresses(IPAddress.Parse("10.244.1.9"), new FakeTimeProvider(), TimeSpan.FromMinutes(1));
        var model = new MeshModel("v", [], [new Workload("gw", "istio-system", [IPAddress.Parse("10.244.1.9")], new Dictionary<string, string> { ["istio"] = "ingressgateway" })]);

        var (labels, source) = PodLabels.Resolve("/nonexistent/wl-labels", model, pod);

        Assert.Equal("ingressgateway", labels["istio"]);
        Assert.Contains("gw.istio-system", source, StringComparison.Ordinal);
    }
}
