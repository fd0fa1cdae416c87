using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
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
    public static OriginalDestinationResult Read(SafeHandle accepted, bool transparent)
    {
        // Read with getsockname, normalized as it is read (SocketNames): a dual-mode listener's IPv4 connection is plain
        // IPv4 here, and conntrack is asked for it at SOL_IP.
        if (SocketNames.Local(accepted) is not { } local)
        {
            return new(OriginalDestinationStatus.Unknown, default);
        }

        // Kept once for every connection to the same address (SharedAddresses): the listener's, a service's VIP.
        local = SharedAddresses.Intern(local);
        var rewritten = LinuxSocket.TryGetOriginalDestination(accepted, local.AddressFamily == AddressFamily.InterNetwork, out var original) && !original.Equals(local);
        if (rewritten)
        {
            return new(OriginalDestinationStatus.Redirected, new OriginalDestination(SharedAddresses.Intern(original)), local);
        }

        // Not NATed. Under TPROXY that is the diverted connection, accepted on its own destination (one dialled to the
        // listener's own port is the router's loop guard's to refuse); under REDIRECT it was dialled to the listener.
        return transparent
            ? new(OriginalDestinationStatus.Redirected, new OriginalDestination(local), local)
            : new(OriginalDestinationStatus.NotRedirected, new OriginalDestination(local), local);
    }
}

internal enum OriginalDestinationStatus
{
    Redirected,

    /// <summary>The client dialled the proxy's port directly: relaying to the "original" destination would loop.</summary>
    NotRedirected,
    Unknown,
}

/// <summary>What the reader found, and the accepted socket's own address (plain IPv4 for a mapped one) when it has one.</summary>
internal readonly record struct OriginalDestinationResult(OriginalDestinationStatus Status, OriginalDestination Destination, IPEndPoint? Local = null);
