using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>
/// &lt;sys/epoll.h&gt; and the plain recv(2)/send(2) the sidecar's own event loop drives: readiness is learnt from
/// edge-triggered epoll, so a socket is read only when the kernel said it has bytes (no speculative EAGAIN read).
/// </summary>
public static unsafe partial class Epoll
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Err = 0x008;
    public const uint Hup = 0x010;
    public const uint RdHup = 0x2000;
    public const uint EdgeTriggered = 1u << 31;

    public const int CtlAdd = 1;
    public const int CtlDel = 2;

    public const int Cloexec = 0x80000;

    /// <summary>MSG_PEEK, MSG_DONTWAIT, MSG_NOSIGNAL (bits/socket.h): per call, so the descriptor's own mode never matters.</summary>
    public const int MsgPeek = 0x02;
    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;


    /// <summary>struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16 bytes).</summary>
    public static int EventSize => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int Create(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int ControlCore(int epfd, int op, int fd, byte* @event);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int WaitCore(int epfd, byte* events, int maxEvents, int timeout);

    // recv and send never block here (MSG_DONTWAIT is always added), so they are called without the GC transition:
    // the pair of runtime calls around each was a visible share of the sidecar's own CPU per request. The cost is a
    // GC that may wait for one system call to return. errno is read right after, with no runtime code in between,
    // instead of through SetLastError's save and restore on every call.
    [LibraryImport("libc", EntryPoint = "recv")]
    [SuppressGCTransition]
    private static partial nint ReceiveCore(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send")]
    [SuppressGCTransition]
    private static partial nint SendCore(int fd, byte* buffer, nuint length, int flags);

    /// <summary>recv(2) with MSG_DONTWAIT added: the byte count, or -1 with <paramref name="errno"/> set.</summary>
    public static nint Receive(int fd, byte* buffer, nuint length, int flags, out int errno)
    {
        var received = ReceiveCore(fd, buffer, length, flags | MsgDontWait);
        errno = received < 0 ? Marshal.GetLastSystemError() : 0;
        return received;
    }

    /// <summary>send(2) with MSG_DONTWAIT added: the byte count, or -1 with <paramref name="errno"/> set.</summary>
    public static nint Send(int fd, byte* buffer, nuint length, int flags, out int errno)
    {
        var sent = SendCore(fd, buffer, length, flags | MsgDontWait);
        errno = sent < 0 ? Marshal.GetLastSystemError() : 0;
        return sent;
    }

    /// <summary>epoll_ctl with the event laid out as this architecture's kernel reads it.</summary>
    public static int Control(int epfd, int op, int fd, uint events, ulong data)
    {
        var raw = stackalloc byte[16];
        Write(raw, events, data);
        return ControlCore(epfd, op, fd, raw);
    }

    /// <summary>epoll_wait into <paramref name="raw"/> (at least maxEvents × <see cref="EventSize"/> bytes).</summary>
    public static int Wait(int epfd, byte* raw, int maxEvents, int timeout) => WaitCore(epfd, raw, maxEvents, timeout);

    public static (uint Events, ulong Data) Read(byte* raw, int index)
    {
        var at = raw + (index * EventSize);
        return (*(uint*)at, *(ulong*)(at + (EventSize == 12 ? 4 : 8)));
    }

    private static void Write(byte* raw, uint events, ulong data)
    {
        *(uint*)raw = events;
        *(ulong*)(raw + (EventSize == 12 ? 4 : 8)) = data;
    }
}
