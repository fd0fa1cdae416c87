using System.Net;
using Xunit;

namespace Waylay.Mesh.Tests;

public sealed class MeshFileReaderTests
{
    [Fact]
    public void FullExample_ReadsEveryField()
    {
        var model = MeshFileReader.Read("""
            version: "42"
            services:
            - name: reviews
              namespace: bookinfo
              addresses: [10.96.0.10, "fd00:96::10"]
              loadBalancer: LEAST_CONN
              ports:
              - name: http
                port: 9080
                targetPort: 9081
                protocol: TCP
                appProtocol: http
              - name: metrics
                port: 15090
              endpoints:
              - address: 10.244.1.5
                labels: {app: reviews, version: v1}
              - address: 10.244.1.6
                ports: {http: 9999}
                health: Draining
            workloads:
            - name: reviews-v1-abc
              namespace: bookinfo
              addresses: [10.244.1.5]
              labels: {app: reviews}
              serviceAccount: bookinfo-reviews
            """);

        Assert.Equal("42", model.Version);
        var service = Assert.Single(model.Services);
        Assert.Equal("reviews.bookinfo", service.Key);
        Assert.Equal([IPAddress.Parse("10.96.0.10"), IPAddress.Parse("fd00:96::10")], service.Addresses);
        Assert.Equal(LoadBalancerPolicy.LeastConnections, service.LoadBalancer);
        Assert.Equal(new ServicePort("http", 9080, 9081, TransportProtocol.Tcp, "http"), service.Ports[0]);
        Assert.Equal(new ServicePort("metrics", 15090, 15090), service.Ports[1]);
        Assert.Equal("v1", service.Endpoints[0].Labels["version"]);
        Assert.Equal((ushort)9081, service.Endpoints[0].PortFor(service.Ports[0]));
        Assert.Equal((ushort)9999, service.Endpoints[1].PortFor(service.Ports[0]));
        Assert.Equal(EndpointHealth.Draining, service.Endpoints[1].Health);
        var workload = Assert.Single(model.Workloads);
        Assert.Equal("bookinfo-reviews", workload.ServiceAccount);
    }

    [Fact]
    public void EmptyFile_IsAnEmptyMesh_VersionedByContent()
    {
        var model = MeshFileReader.Read("");
        Assert.Empty(model.Services);
        Assert.Equal(12, model.Version.Length);
    }

    [Fact]
    public void NoVersion_UsesTheContentHash_SoEveryChangeIsANewVersion()
    {
        var a = MeshFileReader.Read("services: []\n");
        var b = MeshFileReader.Read("services: []\nworkloads: []\n");
        Assert.NotEqual(a.Version, b.Version);
    }

    [Fact]
    public void Errors_AreAllReportedAtOnce_WithFieldPathAndFix()
    {
        var (model, errors) = MeshFileReader.TryRead("""
            services:
            - name: Reviews
              addresses: [10.96.0.300]
              prots: []
              ports:
              - port: 70000
              - {name: a, port: 80}
              - {name: a, port: 81}
              endpoints:
              - address: 10.244.1.5
                ports: {nope: 80}
                health: sick
            - name: other
              addresses: [10.96.0.1]
              ports: [{port: 80}]
              loadBalancer: RANDOM
            - name: third
              addresses: [10.96.0.1]
              ports: [{port: 80}]
            """);

        Assert.Null(model);
        var byPath = errors.ToLookup(e => e.Path);
        Assert.Contains("not an IP address", byPath["services[0].addresses[0]"].Single().Message);
        Assert.Contains("unknown field", byPath["services[0].prots"].Single().Message);
        Assert.Contains("1 to 65535", byPath["services[0].ports[0].port"].Single().Message);
        Assert.Contains("used twice", byPath["services[0].ports[2].name"].Single().Message);
        Assert.Contains("Healthy, Unhealthy or Draining", byPath["services[0].endpoints[0].health"].Single().Message);
        Assert.Contains("ROUND_ROBIN or LEAST_CONN", byPath["services[1].loadBalancer"].Single().Message);
        Assert.Contains("DNS label", byPath["services[0].name"].Single().Message);
        Assert.Contains("already belongs to other.default", byPath["services[2].ports[0]"].Single().Message);
        // What the reader finds carries the YAML line too.
        Assert.True(byPath["services[0].addresses[0]"].Single().Line == 3);
        Assert.True(byPath["services[0].prots"].Single().Line == 4);
    }

    [Fact]
    public void EndpointPortOverride_MustNameAServicePort()
    {
        var (_, errors) = MeshFileReader.TryRead("""
            services:
            - name: web
              addresses: [10.96.0.1]
              ports: [{name: http, port: 80}]
              endpoints: [{address: 10.244.1.5, ports: {grpc: 9000}}]
            """);
        var error = Assert.Single(errors);
        Assert.Equal("services[0].endpoints[0].ports.grpc", error.Path);
        Assert.Contains("use one of http", error.Message);
    }

    [Fact]
    public void BrokenYaml_SaysWhere()
    {
        var (_, errors) = MeshFileReader.TryRead("services: [\n  - name: x\n");
        var error = Assert.Single(errors);
        Assert.Equal("(yaml)", error.Path);
        Assert.True(error.Line > 0);
    }

    [Fact]
    public void MissingFile_ThrowsWithThePathAndTheFix()
    {
        var e = Assert.Throws<MeshValidationException>(() => MeshFileReader.ReadFile("/nonexistent/mesh.yaml"));
        Assert.Contains("/nonexistent/mesh.yaml", e.Message);
        Assert.Contains("--config", e.Message);
    }
}
