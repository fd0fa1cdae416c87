namespace Waylay.Proxy.Routing;

/// <summary>The gateway port a connection came in on: its requests are routed by <see cref="GatewayRoutes"/>, by Host.</summary>
internal sealed class GatewayBinding(GatewayRouteCache routes, ushort port)
{
    public ushort Port { get; } = port;

    public RouteSelection Select(RouteTable table, ReadOnlySpan<byte> authority, in RouteRequest request, Random random) =>
        routes.For(table).Select(Port, authority, request, random);
}
