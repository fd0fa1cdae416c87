using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Waylay.Linux;

namespace Waylay.Proxy.Tcp;

/// <summary>
/// Pipes for splice(2), rented only while bytes are in flight and returned empty: "wait for data, then rent" applied
/// to pipes. An idle connection so holds two descriptors (its sockets), not six, which is what lets one proxy carry
/// ~9,900 connections under the 20,000 open-file hard limit (design.md) instead of ~3,300.
/// </summary>
internal sealed class PipePool : IDisposable
{
    private readonly ConcurrentBag<Pipe> _free = [];
    private readonly int _keep;
    private int _count;
    private int _created;

    public PipePool(int keep = 64) => _keep = keep;

    /// <summary>Pipes made since start (for tests: proves reuse).</summary>
    public int Created => Volatile.Read(ref _created);

    public int Idle => Volatile.Read(ref _count);

    /// <summary>An empty non-blocking pipe, or false when the process is out of descriptors.</summary>
    public bool TryRent(out Pipe pipe)
    {
        if (_free.TryTake(out pipe))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        if (!Fcntl.TryCreatePipe(out var read, out var write))
        {
            return false;
        }

        Interlocked.Increment(ref _created);
        pipe = new Pipe(read, write);
        return true;
    }

    /// <summary>Returns a pipe the caller has drained; a pipe that may hold bytes must be closed instead.</summary>
    public void Return(Pipe pipe)
    {
        if (Interlocked.Increment(ref _count) <= _keep)
        {
            _free.Add(pipe);
            return;
        }

        Interlocked.Decrement(ref _count);
        pipe.Close();
    }

    public void Dispose()
    {
        while (_free.TryTake(out var pipe))
        {
            pipe.Close();
        }
    }
}

/// <summary>Both ends of one pipe.</summary>
internal readonly record struct Pipe(int Read, int Write)
{
    public void Close()
    {
        Fcntl.Close(Read);
        Fcntl.Close(Write);
    }

    public static int LastError => Marshal.GetLastPInvokeError();
}
