using System.Text.Json.Nodes;
using Waylay.Inject;
using Waylay.Mesh;
using Waylay.Node.Up;

namespace Waylay.Node.Tests.Up;

public sealed class ServiceManifestTests
{
    private static ServiceManifest Read(string json) => ServiceManifest.Read((JsonObject)JsonNode.Parse(json)!, "test");

    [Fact]
    public void Ports_TargetPortByNumberOrName_ProtocolAndClusterIP()
    {
        var service = Read("""
            {"kind":"Service","metadata":{"name":"web","namespace":"shop"},"spec":{"clusterIP":"10.96.1.5","selector":{"app":"web"},
             "ports":[{"name":"http","port":80,"targetPort":"http-web"},{"name":"dns","port":53,"targetPort":5353,"protocol":"UDP"},{"name":"plain","port":9080}]}}
            """);

        Assert.Equal("shop", service.Namespace);
        Assert.Equal("10.96.1.5", service.Service.Addresses.Single().ToString());
        Assert.Equal("http-web", service.NamedTargetPorts["http"]);
        Assert.Equal(new ServicePort("dns", 53, 5353, TransportProtocol.Udp), service.Service.Ports[1]);
        Assert.Equal(9080, service.Service.Ports[2].TargetPort); // no targetPort: the port
    }

    [Fact]
    public void Selects_PodsOfItsNamespaceWithEverySelectorLabel()
    {
        var service = Read("""{"kind":"Service","metadata":{"name":"reviews"},"spec":{"selector":{"app":"reviews"},"ports":[{"port":9080}]}}""");

        Assert.True(service.Selects("default", new Dictionary<string, string> { ["app"] = "reviews", ["version"] = "v2" }));
        Assert.False(service.Selects("other", new Dictionary<string, string> { ["app"] = "reviews" }));
        Assert.False(service.Selects("default", new Dictionary<string, string> { ["app"] = "ratings" }));
    }

    [Fact]
    public void WithoutSelector_SelectsNothing()
    {
        var service = Read("""{"kind":"Service","metadata":{"name":"external"},"spec":{"ports":[{"port":443}]}}""");

        Assert.False(service.Selects("default", new Dictionary<string, string> { ["app"] = "x" }));
    }

    [Fact]
    public void BadPort_IsRefused()
    {
        Assert.Throws<ManifestException>(() => Read("""{"kind":"Service","metadata":{"name":"x"},"spec":{"ports":[{"port":70000}]}}"""));
    }
}
