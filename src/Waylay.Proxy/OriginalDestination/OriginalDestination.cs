using System.Net;

namespace Waylay.Proxy.OriginalDestination;

/// <summary>Where the app meant to go before the capture rules redirected it (linkerd's OrigDstAddr).</summary>
internal readonly record struct OriginalDestination(IPEndPoint EndPoint)
{
    public IPAddress Address => EndPoint.Address;

    public ushort Port => (ushort)EndPoint.Port;

    public override string ToString() => EndPoint.ToString();
}
