using System.Net.Sockets;

namespace Waylay.Linux;

/// <summary>&lt;errno.h&gt; values the relay sorts into expected and unexpected failures (asm-generic/errno-base.h).</summary>
public static class Errno
{
    public const int EPerm = 1;
    public const int EIntr = 4;
    public const int EBadF = 9;
    public const int EAgain = 11;
    public const int EInval = 22;
    public const int ENFile = 23;
    public const int EMFile = 24;
    public const int EPipe = 32;
    public const int EProto = 71;
    public const int EConnReset = 104;
    public const int ENoBufs = 105;
    public const int ENetUnreach = 101;
    public const int EConnAborted = 103;
    public const int ENotConn = 107;
    public const int ETimedOut = 110;
    public const int EConnRefused = 111;
    public const int EHostUnreach = 113;

    /// <summary>An errno from a socket system call of our own, as the <see cref="SocketError"/> .NET would have thrown for it.</summary>
    public static SocketError ToSocketError(int errno) => errno switch
    {
        EConnReset => SocketError.ConnectionReset,
        EPipe => SocketError.Shutdown,
        ENotConn => SocketError.NotConnected,
        ETimedOut => SocketError.TimedOut,
        EConnRefused => SocketError.ConnectionRefused,
        EConnAborted => SocketError.ConnectionAborted,
        EHostUnreach => SocketError.HostUnreachable,
        ENetUnreach => SocketError.NetworkUnreachable,
        EBadF => SocketError.OperationAborted,
        EMFile or ENFile => SocketError.TooManyOpenSockets,
        ENoBufs => SocketError.NoBufferSpaceAvailable,
        EInval => SocketError.InvalidArgument,
        _ => SocketError.SocketError,
    };
}
