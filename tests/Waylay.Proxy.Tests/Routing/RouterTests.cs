using System.Net;
using Microsoft.Extensions.Time.Testing;
using Waylay.Mesh;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.Listeners;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.OriginalDestination;
using Waylay.Proxy.Routing;
using Xunit;
using Orig = Waylay.Proxy.OriginalDestination.OriginalDestination;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Tests.Routing;

public sealed class RouterTests
{
    private static readonly IPAddress PodIp = IPAddress.Parse("10.244.1.2");

    private static readonly MeshModel Model = MeshFileReader.Read("""
        services:
        - name: reviews
          addresses: [10.96.0.10]
          ports: [{name: http, port: 9080, targetPort: 9081}]
          endpoints:
          - address: 10.244.2.5
          - address: 10.244.2.6
            ports: {http: 9999}
          - address: 10.244.2.7
            health: Unhealthy
        - name: gone
          addresses: [10.96.0.11]
          ports: [{port: 80}]
          endpoints:
          - {address: 10.244.2.9, health: Draining}
        """);

    [Fact]
    public void InboundProtocol_IsWhatTheServicesServedAtThatAddressAndTargetPortDeclare()
    {
        var model = MeshFileReader.Read("""
            services:
            - name: web
              addresses: [10.96.0.20]
              ports: [{name: http-web, port: 80, targetPort: 8080}, {name: tcp-db, port: 5432}, {name: grpc, port: 9090}]
              endpoints: [{address: 10.244.1.2}]
            - name: web-admin
              addresses: [10.96.0.21]
              ports: [{name: tcp-admin, port: 81, targetPort: 9090}, {name: http2-x, port: 82, targetPort: 8080}]
              endpoints: [{address: 10.244.1.2}]
            """);
        var table = RouteTable.Build(model, new EndpointStatsRegistry());
        Assert.Equal(DeclaredProtocol.Http, table.InboundProtocol(new IPEndPoint(PodIp, 8080))); // http and http2 agree: HTTP
        Assert.Equal(DeclaredProtocol.Opaque, table.InboundProtocol(new IPEndPoint(PodIp, 5432)));
        Assert.Equal(DeclaredProtocol.Unknown, table.InboundProtocol(new IPEndPoint(PodIp, 9090))); // grpc against tcp: sniffed
        Assert.Equal(DeclaredProtocol.Unknown, table.InboundProtocol(new IPEndPoint(PodIp, 80))); // the service port is not the pod's
        Assert.Equal(DeclaredProtocol.Unknown, table.InboundProtocol(new IPEndPoint(IPAddress.Parse("10.244.1.3"), 8080)));
    }

    [Fact]
    public void OwnAddress_IsInbound_ToLoopbackOnTheOriginalPort()
    {
        var decision = Decide(ListenerKind.Outbound, new IPEndPoint(PodIp, 9080));
        Assert.Equal(RouteKind.Inbound, decision.Kind);
        Assert.Equal(TrafficDirection.Inbound, decision.Direction);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9080), decision.Target);
        Assert.Null(decision.Source);
    }

    [Fact]
    public void InboundToPodIp_ConnectsToThePodAddressFrom127_0_0_6()
    {
        var decision = Decide(ListenerKind.Inbound, new IPEndPoint(PodIp, 9042), new ProxyOptions { InboundTo = InboundTarget.PodIp });
        Assert.Equal(new IPEndPoint(PodIp, 9042), decision.Target);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("127.0.0.6"), 0), decision.Source);
    }

    [Fact]
    public void ServiceAddress_IsTheService_ItsEndpointsChosenInTurnWithTheirTargetPorts()
    {
        var router = NewRouter(new ProxyOptions());
        var table = RouteTable.Build(Model, new EndpointStatsRegistry());
        var decisions = Enumerable.Range(0, 4)
            .Select(_ => router.Decide(ListenerKind.Outbound, Redirected(new IPEndPoint(IPAddress.Parse("10.96.0.10"), 9080)), table))
            .ToList();
        Assert.All(decisions, d => Assert.Equal(RouteKind.Service, d.Kind));
        Assert.All(decisions, d => Assert.Equal("reviews.default", d.ServiceKey));
        Assert.All(decisions, d => Assert.Null(d.Target)); // no endpoint yet: it is chosen once, after the protocol

        // The TCP path's one choice: the service itself (no tcp route), through its cluster's balancer.
        var selector = new UpstreamSelector(new ClusterRegistry(new FakeTimeProvider()));
        var random = new Random(1);
        var addresses = decisions
            .Select(d => selector.Choose(table, d.Service!.TcpTarget(random), 9080, random).Endpoint!.Address.ToString())
            .ToList();
        Assert.Equal(2, addresses.Distinct().Count());
        Assert.Contains("10.244.2.5:9081", addresses);
        Assert.Contains("10.244.2.6:9999", addresses);
        Assert.Equal(addresses[0], addresses[2]);
    }

    [Fact]
    public void ServiceWithNoHealthyEndpoint_IsRoutedToTheService_WhoseChoiceFindsNone()
    {
        var table = RouteTable.Build(Model, new EndpointStatsRegistry());
        var decision = NewRouter(new ProxyOptions()).Decide(ListenerKind.Outbound, Redirected(new IPEndPoint(IPAddress.Parse("10.96.0.11"), 80)), table);
        Assert.Equal(RouteKind.Service, decision.Kind);
        Assert.Equal("gone.default", decision.ServiceKey);
        var choice = new UpstreamSelector(new ClusterRegistry(new FakeTimeProvider())).Choose(table, decision.Service!.Self, 80, new Random(1));
        Assert.Null(choice.Endpoint);
        Assert.Equal(503, choice.Status);
    }

    [Fact]
    public void UnknownAddress_PassesThroughUnchanged()
    {
        var destination = new IPEndPoint(IPAddress.Parse("93.184.216.34"), 443);
        var decision = Decide(ListenerKind.Outbound, destination);
        Assert.Equal(RouteKind.Passthrough, decision.Kind);
        Assert.Equal(destination, decision.Target);
    }

    [Fact]
    public void ServicePortNotInTheService_PassesThrough()
    {
        Assert.Equal(RouteKind.Passthrough, Decide(ListenerKind.Outbound, new IPEndPoint(IPAddress.Parse("10.96.0.10"), 9090)).Kind);
    }

    [Theory]
    [InlineData("10.244.1.2", 15001)]
    [InlineData("10.244.1.2", 15006)]
    [InlineData("127.0.0.1", 15001)]
    [InlineData("10.244.1.2", 15000)]
    public void OriginalDestinationOnOwnListener_IsRefusedAsALoop(string address, int port)
    {
        Assert.Equal(RouteKind.RefusedLoop, Decide(ListenerKind.Inbound, new IPEndPoint(IPAddress.Parse(address), port)).Kind);
    }

    [Fact]
    public void NotRedirected_IsRefused()
    {
        var router = NewRouter(new ProxyOptions());
        var original = new OriginalDestinationResult(OriginalDestinationStatus.NotRedirected, new Orig(new IPEndPoint(IPAddress.Loopback, 15001)));
        Assert.Equal(RouteKind.RefusedNotRedirected, router.Decide(ListenerKind.Outbound, original, RouteTable.Build(Model, new EndpointStatsRegistry())).Kind);
    }

    [Fact]
    public void OtherPortOfAService_OnTheInboundListener_IsStillInbound()
    {
        Assert.Equal(RouteKind.Inbound, Decide(ListenerKind.Inbound, new IPEndPoint(IPAddress.Parse("10.96.0.10"), 9080)).Kind);
    }

    private static RouteDecision Decide(ListenerKind listener, IPEndPoint destination, ProxyOptions? options = null) =>
        NewRouter(options ?? new ProxyOptions()).Decide(listener, Redirected(destination), RouteTable.Build(Model, new EndpointStatsRegistry()));

    private static OriginalDestinationResult Redirected(IPEndPoint destination) => new(OriginalDestinationStatus.Redirected, new Orig(destination));

    private static Router NewRouter(ProxyOptions options) =>
        new(options, new PodAddresses(PodIp, new FakeTimeProvider(), TimeSpan.FromHours(1)));
}
