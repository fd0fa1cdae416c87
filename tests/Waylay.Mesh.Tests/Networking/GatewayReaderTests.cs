using Waylay.Mesh.Networking;
using Xunit;

namespace Waylay.Mesh.Tests.Networking;

public sealed class GatewayReaderTests
{
    private static string Gateway(string servers, string apiVersion = "v1", string selector = "{istio: ingressgateway}") => $"""
        apiVersion: networking.istio.io/{apiVersion}
        kind: Gateway
        metadata: {"{"}name: web, namespace: istio-system{"}"}
        spec:
          selector: {selector}
          servers:
        {servers}
        """;

    private static IReadOnlyList<string> Errors(string yaml)
    {
        var (config, errors) = NetworkingReader.TryRead(yaml);
        Assert.Null(config);
        return [.. errors.Select(e => e.ToString())];
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v1beta1")]
    [InlineData("v1alpha3")]
    public void Gateway_ReadsSelectorServersAndNamespacedHosts_InEveryApiVersion(string version)
    {
        var config = NetworkingReader.Read(Gateway("""
              - port: {number: 80, name: http, protocol: http}
                hosts: ["*", "bookinfo/*.example.com", "./Shop.Example.com"]
            """, version));

        var gateway = Assert.Single(config.Gateways);
        Assert.Equal(("istio-system/web", "ingressgateway"), (gateway.Reference, gateway.Selector["istio"]));
        var server = Assert.Single(gateway.Servers);
        Assert.Equal((80, "http", "HTTP"), ((int)server.Port, server.PortName, server.Protocol));
        Assert.Equal([new GatewayHost("*", "*"), new GatewayHost("bookinfo", "*.example.com"), new GatewayHost(".", "shop.example.com")], server.Hosts);
        Assert.True(gateway.Selects(new Dictionary<string, string> { ["istio"] = "ingressgateway", ["app"] = "istio-ingressgateway" }));
        Assert.False(gateway.Selects(new Dictionary<string, string> { ["istio"] = "egressgateway" }));
    }

    [Fact]
    public void ServerHosts_AdmitVirtualServicesByNamespaceAndHost()
    {
        var server = new GatewayServer(80, "http", "HTTP", [new GatewayHost("bookinfo", "*.example.com"), new GatewayHost(".", "admin.local")]);

        Assert.True(server.Admits("bookinfo", "shop.example.com", "istio-system"));
        Assert.True(server.Admits("bookinfo", "*", "istio-system")); // "*" intersects every host the server admits
        Assert.False(server.Admits("default", "shop.example.com", "istio-system"));
        Assert.False(server.Admits("bookinfo", "shop.example.org", "istio-system"));
        Assert.True(server.Admits("istio-system", "admin.local", "istio-system"));
        Assert.False(server.Admits("bookinfo", "admin.local", "istio-system"));
    }

    [Theory]
    [InlineData("HTTPS", "spec.servers[0].port.protocol 'HTTPS' is not supported by Waylay: its gateway serves plain HTTP only")]
    [InlineData("TLS", "spec.servers[0].port.protocol 'TLS' is not supported by Waylay")]
    [InlineData("GRPC", "spec.servers[0].port.protocol 'GRPC' is not supported by Waylay's gateway yet; use HTTP")]
    [InlineData("SMTP", "spec.servers[0].port.protocol 'SMTP' is not a protocol")]
    public void NonHttpProtocols_AreRefusedByField(string protocol, string message)
    {
        var errors = Errors(Gateway($"""
              - port: {"{"}number: 443, name: https, protocol: {protocol}{"}"}
                hosts: ["*"]
            """));
        Assert.Contains(errors, e => e.StartsWith($"Gateway web.istio-system: {message}", StringComparison.Ordinal));
    }

    [Fact]
    public void TlsBlock_IsRefusedWithItsPath()
    {
        var errors = Errors(Gateway("""
              - port: {number: 443, name: https, protocol: HTTPS}
                tls: {mode: SIMPLE, credentialName: cert}
                hosts: ["*"]
            """));
        Assert.Contains(errors, e => e.Contains("spec.servers[0].tls is not supported by Waylay: its gateway serves plain HTTP only", StringComparison.Ordinal));
    }

    [Fact]
    public void BrokenServers_AreRefused_EveryProblemAtOnce()
    {
        var errors = Errors(Gateway("""
              - port: {number: 80, protocol: HTTP}
                hosts: []
              - port: {number: 70000, name: web, protocol: HTTP}
                hosts: ["a.b/c", "bad host"]
                bind: 1.2.3.4
              - port: {number: 81, name: web, protocol: HTTP}
                hosts: ["*"]
            """));
        Assert.Contains(errors, e => e.Contains("spec.servers[0].port.name is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("spec.servers[0].hosts must name at least one host", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("spec.servers[1].port.number", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("spec.servers[1].hosts[0] 'a.b' is not a namespace", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("spec.servers[1].hosts[1] 'bad host' is not a valid host", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("spec.servers[1].bind is not supported by Waylay", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("spec.servers[2].port.name 'web' is already the name of another server's port", StringComparison.Ordinal));
    }

    [Fact]
    public void GatewayWithoutServers_IsRefused() =>
        Assert.Contains(Errors("apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec: {selector: {istio: ingressgateway}}\n"),
            e => e.StartsWith("Gateway g: spec.servers must list at least one server", StringComparison.Ordinal));

    [Theory]
    [InlineData("[bookinfo-gateway]", "shop", new[] { "shop/bookinfo-gateway" }, false)]
    [InlineData("[istio-system/web, mesh]", "shop", new[] { "istio-system/web", "mesh" }, true)]
    [InlineData("[./web]", "shop", new[] { "shop/web" }, false)]
    [InlineData("[web.istio-system.svc.cluster.local]", "shop", new[] { "istio-system/web" }, false)]
    [InlineData("[mesh]", "shop", new[] { "mesh" }, true)]
    public void VirtualServiceGateways_ResolveAsIstios_AndDecideWhetherSidecarsApplyThem(string gateways, string ns, string[] expected, bool mesh)
    {
        var config = NetworkingReader.Read($"""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {"{"}name: r, namespace: {ns}{"}"}
            spec:
              hosts: [productpage]
              gateways: {gateways}
              http: [{"{"}route: [{"{"}destination: {"{"}host: productpage{"}"}{"}"}]{"}"}]
            """);
        var service = Assert.Single(config.VirtualServices);
        Assert.Equal(expected, service.Gateways);
        Assert.Equal(mesh, service.AppliesToMesh);
    }

    [Theory]
    [InlineData("gateways: [web]", true)]
    [InlineData("gateways: [web, mesh]", false)]
    [InlineData("", false)]
    public void WildcardHost_IsAllowedOnlyWhenNoSidecarApplies(string gateways, bool allowed)
    {
        var (config, errors) = NetworkingReader.TryRead($"""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {"{"}name: r{"}"}
            spec:
              hosts: ["*"]
              {gateways}
              http: [{"{"}route: [{"{"}destination: {"{"}host: productpage{"}"}{"}"}]{"}"}]
            """);
        Assert.Equal(allowed, config is not null);
        if (!allowed)
        {
            Assert.Contains("'*' is not allowed for a VirtualService that applies to sidecars", Assert.Single(errors).ToString());
        }
    }

    [Fact]
    public void TheSameHostOnDifferentGateways_IsFine_ButTwiceOnOneGatewayIsRefused()
    {
        const string Bound = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {{name: {0}}}
            spec:
              hosts: ["*"]
              gateways: [{1}]
              http: [{{route: [{{destination: {{host: productpage}}}}]}}]
            """;
        Assert.NotNull(NetworkingReader.TryRead(string.Format(null, Bound, "a", "one") + "\n---\n" + string.Format(null, Bound, "b", "two")).Config);
        var errors = Errors(string.Format(null, Bound, "a", "one") + "\n---\n" + string.Format(null, Bound, "b", "one"));
        Assert.Equal("VirtualService b: spec.hosts[0] '*' is already routed on gateway default/one by VirtualService a.default: merge the two into one", Assert.Single(errors));
    }
}
