using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Waylay.Proxy.Io;

/// <summary>
/// The builder of the proxy's per-request async methods (<c>[AsyncMethodBuilder(typeof(BurstPoolingMethodBuilder&lt;&gt;))]</c>):
/// <see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/>'s way, the method's state machine living in a box that is
/// used again rather than allocated per call, with a pool that outlasts a burst (<see cref="IdlePool{T}"/>).
/// .NET's keeps one idle box per thread and one per core: with thousands of requests in flight at once, nearly every
/// request allocated its own boxes (the try's and the forward's ~930 bytes), which outlived the burst's gen0
/// collections and died in gen2; with the exchanges pooled alike, a server sidecar allocates a third less through a
/// burst of 9,000, and collects gen0 a third less often (docs/designs/proxy.md, "Memory").
/// </summary>
[StructLayout(LayoutKind.Auto)]
internal struct BurstPoolingMethodBuilder<TResult>
{
    // Null until the method first awaits something not yet complete; a method that never does needs no box.
    private BurstPoolingBox<TResult>? _box;
    private TResult _result;

    public static BurstPoolingMethodBuilder<TResult> Create() => default;

    /// <summary>Read once, just after <see cref="Start"/>: either the method completed (no box) or it awaits (its box).</summary>
    public readonly ValueTask<TResult> Task
    {
        get
        {
            if (_box is { } box)
            {
                return new ValueTask<TResult>(box, box.Version);
            }

            return new ValueTask<TResult>(_result);
        }
    }

    public void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        // .NET's own start: the caller's execution and synchronization contexts are put back after the first step.
        AsyncValueTaskMethodBuilder.Create().Start(ref stateMachine);
    }

    public readonly void SetStateMachine(IAsyncStateMachine stateMachine) =>
        ArgumentNullException.ThrowIfNull(stateMachine); // the box holds the state machine itself; nothing to keep

    public void SetResult(TResult result)
    {
        if (_box is { } box)
        {
            box.SetResult(result);
        }
        else
        {
            _result = result;
        }
    }

    /// <summary>
    /// A failure goes into a box even when the method never awaited, as .NET's builder does: the caller then sees the
    /// same exception object, and an <see cref="OperationCanceledException"/> as cancellation, not as a fault.
    /// </summary>
    public void SetException(Exception exception) =>
        (_box ??= BurstPoolingBox<TResult, IAsyncStateMachine>.Rent()).SetException(exception);

    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.OnCompleted(BoxFor(ref stateMachine).MoveNextAction);

    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine =>
        awaiter.UnsafeOnCompleted(BoxFor(ref stateMachine).MoveNextAction);

    /// <summary>
    /// The method's box: at its first await one from the pool, the state machine copied in (after the box is set here,
    /// so the copy knows its box); at each await the caller's execution context taken again, as .NET's builders do.
    /// </summary>
    private BurstPoolingBox<TResult, TStateMachine> BoxFor<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        var context = ExecutionContext.Capture();
        if (_box is not null)
        {
            // Only this method ever made a box here before an await (SetException's comes last): no type check needed.
            var existing = Unsafe.As<BurstPoolingBox<TResult, TStateMachine>>(_box);
            existing.Context = context;
            return existing;
        }

        var box = BurstPoolingBox<TResult, TStateMachine>.Rent();
        _box = box;
        box.StateMachine = stateMachine;
        box.Context = context;
        return box;
    }
}
