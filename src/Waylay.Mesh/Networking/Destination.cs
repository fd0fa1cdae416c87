namespace Waylay.Mesh.Networking;

/// <summary>
/// Where a route sends traffic: a service host (always a fully qualified name once read: short names are resolved
/// in the resource's namespace, as Istio does), an optional DestinationRule subset and an optional port.
/// </summary>
/// <param name="Port">Null means "the port the request came in on" (Istio allows omitting it when the service has one port).</param>
public sealed record Destination(string Host, string? Subset, ushort? Port)
{
    public override string ToString() => Subset is null ? Host : $"{Host} ({Subset})";
}

/// <summary>One weighted destination of an HTTP route, with the header changes that apply only when it is chosen.</summary>
public sealed record HttpRouteDestination(Destination Destination, int Weight, HeaderOperations Headers);

/// <summary>One weighted destination of a TCP route.</summary>
public sealed record RouteDestination(Destination Destination, int Weight);
