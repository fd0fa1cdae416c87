using System.Net;
using System.Net.Sockets;
using Waylay.Linux;

namespace Waylay.Proxy.OriginalDestination;

/// <summary>
/// Recovers the original destination of an accepted connection:
/// REDIRECT mode asks conntrack (SO_ORIGINAL_DST at SOL_IP / SOL_IPV6); TPROXY mode needs nothing, the transparent
/// listener accepted the socket on the very address the app dialled.
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
        if (transparent)
        {
            return new(OriginalDestinationStatus.Redirected, new OriginalDestination(local));
        }

        if (!LinuxSocket.TryGetOriginalDestination(accepted, out var original))
        {
            // conntrack has no entry: nothing redirected this connection, it was dialled to the listener itself.
            return new(OriginalDestinationStatus.NotRedirected, new OriginalDestination(local));
        }

        original = Addresses.Normalize(original);
        return original.Equals(local)
            ? new(OriginalDestinationStatus.NotRedirected, new OriginalDestination(local))
            : new(OriginalDestinationStatus.Redirected, new OriginalDestination(original));
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
