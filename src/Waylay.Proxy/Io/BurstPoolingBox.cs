using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Waylay.Proxy.Io;

/// <summary>A method's result, as the <see cref="ValueTask{TResult}"/> its caller awaits; back to its pool once read.</summary>
internal abstract class BurstPoolingBox<TResult> : IValueTaskSource<TResult>
{
    // Continuations run where the result is set, as with .NET's pooling builder: the awaiting method goes on at once.
    private protected ManualResetValueTaskSourceCore<TResult> _core;

    public short Version => _core.Version;

    public void SetResult(TResult result) => _core.SetResult(result);

    public void SetException(Exception exception) => _core.SetException(exception);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    public TResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Return();
        }
    }

    /// <summary>Forgets the finished call (its locals, its context) and goes back to the pool.</summary>
    private protected abstract void Return();
}

/// <summary>The box of one async method's state machine; between calls it waits in its <see cref="IdlePool{T}"/>.</summary>
internal sealed class BurstPoolingBox<TResult, TStateMachine> : BurstPoolingBox<TResult>
    where TStateMachine : IAsyncStateMachine
{
    private static readonly ContextCallback MoveNextInContext = static box => ((BurstPoolingBox<TResult, TStateMachine>)box!).StateMachine.MoveNext();

    private static readonly IdlePool<BurstPoolingBox<TResult, TStateMachine>> Idle = new();

    [ThreadStatic]
    private static BurstPoolingBox<TResult, TStateMachine>? _threadIdle;

    private BurstPoolingBox() => MoveNextAction = MoveNext;

    /// <summary>The method's locals and position; a field, so the method runs in place.</summary>
    public TStateMachine StateMachine = default!;

    public ExecutionContext? Context;

    /// <summary>What each awaited operation calls when it completes: one delegate for the box's whole life.</summary>
    public Action MoveNextAction { get; }

    public static BurstPoolingBox<TResult, TStateMachine> Rent() =>
        Idle.TryRent(ref _threadIdle, out var idle) ? idle : new BurstPoolingBox<TResult, TStateMachine>();

    private protected override void Return()
    {
        StateMachine = default!;
        Context = null;
        _core.Reset();
        Idle.Return(ref _threadIdle, this);
    }

    private void MoveNext()
    {
        if (Context is { } context)
        {
            ExecutionContext.Run(context, MoveNextInContext, this);
        }
        else
        {
            StateMachine.MoveNext();
        }
    }
}
