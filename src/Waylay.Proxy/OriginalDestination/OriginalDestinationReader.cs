using System.Net;
using System.Net.Sockets;
using Waylay.Linux;

namespace Waylay.Proxy.OriginalDestination;

/// <summary>
/// Recovers the original destination of an accepted connection. A NAT REDIRECT is asked of conntrack (SO_ORIGINAL_DST
/// at SOL_IP / SOL_IPV6). A TPROXY'd connection needs nothing: the transparent listener accepted it on the very address
/// the app dialled. TPROXY capture diverts only inbound traffic, though; outbound (and the proxy calling its own pod)
/// is still REDIRECTed (as in Istio), so with <c>--tproxy</c> conntrack is asked first and the local address is the
/// answer only when nothing was rewritten.
/// </summary>
internal static class OriginalDestinationReader
{
    public static OriginalDestinationResult Read(Socket accepted, bool transparent)
    {
        if (accepted.LocalEndPoint is not IPEndPoint local)
        {
            return new(OriginalDestinationStatus.Unknown, default);
        }

        local = Addresses.Normalize(local);
        var rewritten = LinuxSocket.TryGetOriginalDestination(accepted, out var original)
            && !(original = Addresses.Normalize(original)).Equals(local);
        if (rewritten)
        {
            return new(OriginalDestinationStatus.Redirected, new OriginalDestination(original));
        }

        // Not NATed. Under TPROXY that is the diverted connection, accepted on its own destination (one dialled to the
        // listener's own port is the router's loop guard's to refuse); under REDIRECT it was dialled to the listener.
        return transparent
            ? new(OriginalDestinationStatus.Redirected, new OriginalDestination(local))
            : new(OriginalDestinationStatus.NotRedirected, new OriginalDestination(local));
    }
}

internal enum OriginalDestinationStatus
{
    Redirected,

    /// <summary>The client dialled the proxy's port directly: relaying to the "original" destination would loop.</summary>
    NotRedirected,
    Unknown,
}

internal readonly record struct OriginalDestinationResult(OriginalDestinationStatus Status, OriginalDestination Destination);
