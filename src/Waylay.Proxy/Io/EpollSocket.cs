using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Waylay.Linux;

namespace Waylay.Proxy.Io;

/// <summary>
/// A socket driven by an <see cref="EpollLoop"/> instead of .NET's socket engine (which must never have seen it:
/// a descriptor in both sets would wake both threads for every byte). Readiness is two flags the loop sets on an edge:
/// a read is tried only when its flag says bytes may be there, and the flag is cleared before the recv, so an edge
/// that comes during it sets the flag again and nothing is lost. Every system call holds a reference on the
/// <see cref="SafeHandle"/>, so a close from another thread can never make us read a reused descriptor. It takes over
/// a descriptor accepted without a .NET Socket (<see cref="Attach"/>, <see cref="Waylay.Linux.TcpAccept"/>), or owns a
/// bare descriptor it connected itself (<see cref="StartConnect"/>: an HTTP/1 upstream); neither ever has a Socket, its
/// SocketAsyncContext or addresses.
/// </summary>
internal sealed partial class EpollSocket : IDisposable
{
    /// <summary>What <see cref="FinishConnect"/> returns when the connect's time ran out first (not an errno).</summary>
    public const int ConnectExpired = -1;
    private const int ConnectPending = 1;
    private const int ConnectTimedOut = 2;
    private readonly SafeHandle _handle;
    private readonly EpollLoop _loop;
    private readonly int _fd;
    private CancellationToken _bound;
    private int _registered;
    private int _readClosed;
    private int _connect;

    private EpollSocket(SafeHandle handle, EpollLoop loop, bool writable)
    {
        _handle = handle;
        _loop = loop;
        _fd = (int)handle.DangerousGetHandle();
        _writeReady = writable ? 1 : 0;
        Token = loop.Reserve(this);
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            loop.Add(_fd, Token);
            _registered = 1;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>The descriptor (the connection's owner closes or aborts it once the socket has left the loop).</summary>
    public SafeHandle Handle => _handle;

    /// <summary>The descriptor's number (tests look it up in /proc/self/fd to see that a failed connect closed it).</summary>
    internal int Descriptor => _fd;

    /// <summary>The loop whose thread runs this socket's continuations.</summary>
    public EpollLoop Loop => _loop;

    public ulong Token { get; }

    /// <summary>
    /// Takes over an open socket (an accepted connection, a listener) on the next loop; its owner keeps it, and closes it
    /// after <see cref="Dispose"/> or <see cref="Detach"/>.
    /// </summary>
    public static EpollSocket Attach(SafeHandle socket) => new(socket, EpollLoop.Next(), writable: true);

    /// <summary>
    /// Starts a connect with the system calls themselves (<see cref="TcpConnect.Start"/>: no .NET Socket, no exception
    /// for EINPROGRESS) on <paramref name="loop"/> (an HTTP/1 upstream goes on its downstream connection's loop). Its
    /// completion is the writable edge: wait with <see cref="WaitWritableAsync"/>, then <see cref="FinishConnect"/>.
    /// Null, with the errno, when it failed at once (nothing is left open then).
    /// </summary>
    public static EpollSocket? StartConnect(IPEndPoint target, IPEndPoint? source, EpollLoop loop, out int errno)
    {
        if (TcpConnect.Start(target, source, out errno) is not { } handle)
        {
            return null;
        }

        try
        {
            return new EpollSocket(handle, loop, writable: errno == 0) { _connect = ConnectPending };
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The connect's time is up: its wait ends as an edge would end it, and <see cref="FinishConnect"/> reports the
    /// timeout (one timer per connect and no cancellation source linked to the caller's; called from that timer).
    /// </summary>
    public void ExpireConnect()
    {
        if (Interlocked.CompareExchange(ref _connect, ConnectTimedOut, ConnectPending) == ConnectPending)
        {
            SignalWrite();
        }
    }

    /// <summary>
    /// After the connect's wait: 0 when connected, else its errno (SO_ERROR), <see cref="ConnectExpired"/> when its time
    /// ran out first. The connect's write wait is let go: a connected socket's writes nearly never wait, and an idle
    /// pooled connection would keep it for its life.
    /// </summary>
    public int FinishConnect()
    {
        Volatile.Write(ref _write, null);
        return Interlocked.Exchange(ref _connect, 0) == ConnectTimedOut ? ConnectExpired : TcpConnect.TakeError(_handle);
    }

    /// <summary>
    /// shutdown(2) as .NET's Socket.Shutdown does it: ENOTCONN (a connected socket whose connection has reached CLOSE)
    /// is not a failure; any other error is the SocketException it throws.
    /// </summary>
    public void Shutdown(SocketShutdown how)
    {
        if (TcpConnect.Shutdown(_handle, how) is not (0 or Errno.ENotConn) and var errno)
        {
            throw new SocketException((int)Errno.ToSocketError(errno));
        }
    }

    /// <summary>Whether the kernel has something to read now (bytes, the end, an error), without waiting or reading.</summary>
    public bool PollReadable() => TcpConnect.Readable(_handle);

    /// <summary>getsockname(2); null once closed.</summary>
    public IPEndPoint? LocalEndPoint() => SocketNames.Local(_handle);

    /// <summary>
    /// recv(2) without blocking: the byte count (0 at the end of the stream), or -1 when there is nothing to read yet
    /// (then wait with <see cref="WaitReadableAsync"/>). A peek leaves the flag cleared, so the wait is for new bytes.
    /// </summary>
    public unsafe int TryReceive(Span<byte> buffer, bool peek = false)
    {
        if (!Readiness.TryTake(ref _readReady))
        {
            return -1;
        }

        var handle = _handle;
        var added = false;
        nint received;
        int errno;
        try
        {
            handle.DangerousAddRef(ref added);
            fixed (byte* at = buffer)
            {
                received = Epoll.Receive(_fd, at, (nuint)buffer.Length, peek ? Epoll.MsgPeek : 0, out errno);
            }
        }
        catch (ObjectDisposedException)
        {
            throw new SocketException((int)SocketError.OperationAborted);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        if (received > 0)
        {
            // A full buffer may have left bytes behind: try again at once next time. A short read drained the bytes,
            // but not a FIN or an error behind them: recv reports those only on the next call, and their edge has
            // been taken already (they came with or before these bytes), so without this the reader would park forever.
            if (!peek && (received == buffer.Length || Volatile.Read(ref _readClosed) == 1))
            {
                Volatile.Write(ref _readReady, 1);
            }

            return (int)received;
        }

        if (received == 0)
        {
            Volatile.Write(ref _readReady, 1); // the end stays readable
            return 0;
        }

        if (errno is Errno.EAgain or Errno.EIntr)
        {
            return -1;
        }

        Volatile.Write(ref _readReady, 1);
        throw new SocketException((int)Errno.ToSocketError(errno));
    }

    /// <summary>
    /// Every wait given this token (the connection's closing) is cancelled by <see cref="CancelBoundWaits"/>, which
    /// the token's owner calls when it cancels it, instead of a registration made and removed per wait; call once,
    /// before the first wait. Nothing is registered on the token: a registration and its node were ~140 bytes per
    /// held connection (docs/designs/proxy.md, "Memory").
    /// </summary>
    public void CancelWith(CancellationToken token) => _bound = token;

    /// <summary>The bound token was cancelled: a wait parked with it ends as cancelled (one parked later sees it at once).</summary>
    public void CancelBoundWaits()
    {
        _read.Cancel(_bound);
        CancelWrite(_bound);
    }

    /// <summary>
    /// Ends a wait parked with <paramref name="token"/> (cancelled): a wait with another token, or none, is left alone.
    /// The owner of a token bound to a socket it does not own (a pooled upstream, <c>ConnectionContext.Carry</c>) uses
    /// this, not <see cref="CancelBoundWaits"/>, since the socket may be bound to another connection's token by then.
    /// </summary>
    public void CancelWaits(CancellationToken token)
    {
        _read.Cancel(token);
        CancelWrite(token);
    }

    /// <summary>
    /// Whether <see cref="TryReceive"/> would make a system call now (an edge came, or bytes were left behind): a reader
    /// with nothing buffered rents its buffer only then, so a connection waiting for its next request holds none.
    /// </summary>
    public bool MayRead => Volatile.Read(ref _readReady) == 1;

    /// <summary>The peer has finished sending (or the connection failed): whatever is queued now is all there will be.</summary>
    public bool ReadClosed => Volatile.Read(ref _readClosed) == 1;

    /// <summary>After a peek that was enough: the bytes are still there, and no edge will announce them again.</summary>
    public void MarkReadable() => Volatile.Write(ref _readReady, 1);

    /// <summary>
    /// Completes a parked read wait as an edge would (PipeReader.CancelPendingRead must end a pending read, and no
    /// edge may ever come); the try that follows finds nothing and the caller decides whether to wait again.
    /// </summary>
    public void WakeReader() => SignalRead();

    /// <summary>The same for a parked write wait (PipeWriter.CancelPendingFlush).</summary>
    public void WakeWriter() => SignalWrite();

    /// <summary>send(2) without blocking: how many bytes the kernel took, or -1 when its buffer is full.</summary>
    public unsafe int TrySend(ReadOnlySpan<byte> buffer)
    {
        var handle = _handle;
        var added = false;
        while (true)
        {
            nint sent;
            int errno;
            try
            {
                handle.DangerousAddRef(ref added);
                fixed (byte* at = buffer)
                {
                    sent = Epoll.Send(_fd, at, (nuint)buffer.Length, Epoll.MsgNoSignal, out errno);
                }
            }
            catch (ObjectDisposedException)
            {
                throw new SocketException((int)SocketError.OperationAborted);
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                    added = false;
                }
            }

            if (sent >= 0)
            {
                return (int)sent;
            }

            if (errno == Errno.EIntr)
            {
                continue;
            }

            if (errno != Errno.EAgain)
            {
                throw new SocketException((int)Errno.ToSocketError(errno));
            }

            // Full. An edge that came before this point is in the flag: one more try then, else wait for the next.
            if (!Readiness.TryTake(ref _writeReady))
            {
                return -1;
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="continuation"/> with <paramref name="state"/> when the read wait that
    /// <see cref="WaitReadableAsync"/> parked completes: what awaiting it does, without an Action made per awaiter.
    /// </summary>
    public void OnReadable(Action<object?> continuation, object state) => _read.OnParkedCompleted(continuation, state);

    /// <summary>Ends the read wait <see cref="OnReadable"/> was called for: returns, or throws what ended it (aborted, cancelled).</summary>
    public void EndReadableWait() => _read.EndParked(Read);

    /// <summary>Called on the loop's thread with the events of one edge.</summary>
    public void OnEvents(uint events)
    {
        if ((events & (Epoll.RdHup | Epoll.Hup | Epoll.Err)) != 0)
        {
            // Sticky: nothing but the end (or an error) is left behind the bytes now queued. Written before the
            // signal's fence, so a read that took the flag before this edge, and drained only the bytes, sees it.
            Volatile.Write(ref _readClosed, 1);
        }

        if ((events & (Epoll.In | Epoll.RdHup | Epoll.Hup | Epoll.Err)) != 0)
        {
            SignalRead();
        }

        if ((events & (Epoll.Out | Epoll.Hup | Epoll.Err)) != 0)
        {
            SignalWrite();
        }
    }

    /// <summary>Out of the loop, the socket left open for whoever reads it next (the L4 relay, Kestrel).</summary>
    public void Detach() => Unregister(remove: true);

    /// <summary>Out of the loop before the socket is closed; waits still pending fail as aborted.</summary>
    public void Dispose() => Unregister(remove: true);

    /// <summary>Out of the loop and closed (a socket of <see cref="StartConnect"/>, which nothing else owns).</summary>
    public void Close()
    {
        Unregister(remove: true);
        _handle.Dispose();
    }

    private void Unregister(bool remove)
    {
        if (Interlocked.Exchange(ref _registered, 0) == 0)
        {
            return;
        }

        // Only while the descriptor is surely ours: once closed, its number may already name another socket.
        var handle = _handle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (remove && !handle.IsClosed)
            {
                _loop.Remove(_fd);
            }
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        _loop.Release(Token);
        // _registered is 0 (with a full fence) before these: a wait published after this sees it and fails at once.
        _read.Abort();
        Volatile.Read(ref _write)?.Wait.Abort();
    }
}
