using System.Net.Sockets;
using Waylay.Linux;

namespace Waylay.Proxy.Tcp;

/// <summary>Sorts socket failures into what a relay expects (the peer went away) and what it does not (Kestrel's predicates).</summary>
internal static class SocketErrors
{
    public static bool IsPeerGone(SocketError error) => error is SocketError.ConnectionReset or SocketError.ConnectionAborted
        or SocketError.Shutdown or SocketError.NotConnected or SocketError.TimedOut or SocketError.HostUnreachable
        or SocketError.NetworkUnreachable or SocketError.NetworkReset;

    public static bool IsAborted(SocketError error) => error is SocketError.OperationAborted or SocketError.Interrupted;

    /// <summary>splice(2) errno values meaning the peer reset or went away.</summary>
    public static bool IsPeerGoneErrno(int errno) => errno is Errno.EConnReset or Errno.EPipe or Errno.ENotConn or Errno.ETimedOut;
}
