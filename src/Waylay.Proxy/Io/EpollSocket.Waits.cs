using System.Threading.Tasks.Sources;

namespace Waylay.Proxy.Io;

/// <summary>
/// The socket is the source of its own waits (<see cref="Readiness"/>): a read wait's token has the low bit clear, a
/// write wait's set, so one object serves both directions without one of its own per direction.
/// </summary>
internal sealed partial class EpollSocket : IValueTaskSource
{
    private const int Read = 0;
    private const int Write = 1;

    private static readonly Action<object?, CancellationToken> s_cancelRead = static (state, token) => ((EpollSocket)state!)._read.Cancel(token);
    private static readonly Action<object?, CancellationToken> s_cancelWrite = static (state, token) => ((EpollSocket)state!)._write.Cancel(token);

    void IValueTaskSource.GetResult(short token)
    {
        if ((token & 1) == Read)
        {
            _read.GetResult(token, Read);
        }
        else
        {
            _write.GetResult(token, Write);
        }
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) =>
        (token & 1) == Read ? _read.GetStatus(token, Read) : _write.GetStatus(token, Write);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        if ((token & 1) == Read)
        {
            _read.OnCompleted(continuation, state, token, Read, flags);
        }
        else
        {
            _write.OnCompleted(continuation, state, token, Write, flags);
        }
    }
}
