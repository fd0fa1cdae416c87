using System.Runtime.InteropServices;
using Waylay.Linux;

namespace Waylay.Proxy.Io;

/// <summary>
/// One edge-triggered epoll instance and the thread that waits on it, for the HTTP/1 path's sockets. .NET's socket
/// engine tries every receive before waiting for epoll, so each read that has to wait costs a recv that returns EAGAIN
/// (about three per request through two sidecars, docs/benchmarks.md); here a socket is read only when the kernel has
/// said it has bytes, as HAProxy and Envoy do. Continuations run on this thread, as with inline socket completions.
/// A registration is an index into a slot table plus a generation, so an event that arrives after its socket left
/// (epoll reports from a batch already taken) finds a newer generation and is dropped.
/// </summary>
internal sealed unsafe class EpollLoop
{
    private const int MaxEvents = 256;
    private static readonly Lazy<EpollLoop[]> s_loops = new(CreateLoops);
    private static int s_next;
    private static int s_concurrency = 2;

    private readonly int _epoll;
    private readonly Lock _gate = new();
    private readonly Stack<int> _free = new();
    private EpollSocket?[] _slots = new EpollSocket?[64];
    private uint[] _generations = new uint[64];
    private int _used;

    private EpollLoop(int index)
    {
        _epoll = Epoll.Create(Epoll.Cloexec);
        if (_epoll < 0)
        {
            throw new System.Net.Sockets.SocketException((int)Errno.ToSocketError(Marshal.GetLastPInvokeError()));
        }

        new Thread(Run) { IsBackground = true, Name = $"waylay-epoll-{index}" }.Start();
    }

    /// <summary>
    /// How many loops (threads) the process runs, as Istio's <c>concurrency</c>: 2 unless set, 0 for one per core.
    /// Read when the first socket is attached; a later call changes nothing.
    /// </summary>
    public static void Configure(int concurrency) => s_concurrency = concurrency;

    /// <summary>The next loop, round-robin: connections spread over the loops, each socket staying on the one it was given.</summary>
    public static EpollLoop Next()
    {
        var loops = s_loops.Value;
        return loops[(int)((uint)Interlocked.Increment(ref s_next) % (uint)loops.Length)];
    }

    /// <summary>
    /// A slot for the socket, before its descriptor is added: the first edge may come at once, and must find the
    /// socket already knowing its token.
    /// </summary>
    public ulong Reserve(EpollSocket socket)
    {
        ulong token;
        lock (_gate)
        {
            if (!_free.TryPop(out var slot))
            {
                if (_used == _slots.Length)
                {
                    Array.Resize(ref _slots, _slots.Length * 2);
                    Array.Resize(ref _generations, _generations.Length * 2);
                }

                slot = _used++;
            }

            var generation = ++_generations[slot];
            Volatile.Write(ref _slots[slot], socket);
            token = ((ulong)generation << 32) | (uint)slot;
        }

        return token;
    }

    /// <summary>Adds the descriptor for reads, writes and hang-ups; the caller holds a reference on its handle.</summary>
    public void Add(int fd, ulong token)
    {
        if (Epoll.Control(_epoll, Epoll.CtlAdd, fd, Epoll.In | Epoll.Out | Epoll.RdHup | Epoll.EdgeTriggered, token) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Release(token);
            throw new System.Net.Sockets.SocketException((int)Errno.ToSocketError(errno));
        }
    }

    /// <summary>Takes the descriptor out of the set (it stays open: another reader takes the socket over).</summary>
    public void Remove(int fd) => Epoll.Control(_epoll, Epoll.CtlDel, fd, 0, 0);

    /// <summary>Frees the slot; an event still in flight for it is dropped by the generation check.</summary>
    public void Release(ulong token)
    {
        var slot = (int)(uint)token;
        lock (_gate)
        {
            if (_generations[slot] == (uint)(token >> 32) && _slots[slot] is not null)
            {
                _slots[slot] = null;
                _free.Push(slot);
            }
        }
    }

    private static EpollLoop[] CreateLoops()
    {
        var loops = new EpollLoop[s_concurrency == 0 ? Environment.ProcessorCount : Math.Max(1, s_concurrency)];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = new EpollLoop(i);
        }

        return loops;
    }

    private void Run()
    {
        // Nothing on the HTTP/1 path reads an AsyncLocal, and every await resumed here would otherwise run through
        // ExecutionContext.RunInternal; with the flow suppressed, state machines started on this thread capture none.
        ExecutionContext.SuppressFlow();
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * Epoll.EventSize));
        while (true)
        {
            var count = Epoll.Wait(_epoll, events, MaxEvents, -1);
            if (count < 0)
            {
                // EINTR (a signal, a debugger attaching): wait again. Nothing else can fail on a valid epoll descriptor.
                continue;
            }

            for (var i = 0; i < count; i++)
            {
                var (flags, token) = Epoll.Read(events, i);
                var slot = (int)(uint)token;
                var slots = Volatile.Read(ref _slots);
                if (slot >= slots.Length || Volatile.Read(ref slots[slot]) is not { } socket || socket.Token != token)
                {
                    continue;
                }

                try
                {
                    socket.OnEvents(flags);
                }
                catch (Exception e)
                {
                    // A continuation that throws must not take every other connection of this loop with it.
                    Console.Error.WriteLine($"waylay: an I/O continuation failed on {Thread.CurrentThread.Name}: {e}");
                }
            }
        }
    }
}
