using System.Net;

namespace Waylay.Proxy.OriginalDestination;

/// <summary>Dual-mode listeners see IPv4 peers as ::ffff:a.b.c.d; everything past accept works with plain IPv4.</summary>
internal static class Addresses
{
    public static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
