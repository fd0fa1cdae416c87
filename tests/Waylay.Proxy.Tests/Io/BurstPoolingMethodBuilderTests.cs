using System.Runtime.CompilerServices;
using Waylay.Proxy.Io;
using Xunit;

namespace Waylay.Proxy.Tests.Io;

/// <summary>
/// <see cref="BurstPoolingMethodBuilder{TResult}"/>: async methods behave as with .NET's builders (results, exceptions,
/// the caller's execution context), and a burst's boxes serve the next burst instead of each call allocating its own.
/// </summary>
[Collection(IdlePoolsCollection.Name)]
public sealed class BurstPoolingMethodBuilderTests
{
    private const int Burst = 1000;

    [Fact]
    public async Task Method_ThatNeverWaits_ReturnsItsResultOrThrows()
    {
        Assert.Equal(7, await ImmediateAsync(7));
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await ImmediateAsync(-1));
        Assert.Equal("negative", thrown.Message);
    }

    [Fact]
    public void Cancellation_BeforeAnyWait_IsSeenAsCancellation_WithTheMethodsOwnException()
    {
        using var canceled = new CancellationTokenSource();
        canceled.Cancel();
        var task = CanceledAsync(canceled.Token);
        Assert.True(task.IsCanceled);
        var thrown = Assert.Throws<OperationCanceledException>(() => task.Result);
        Assert.Equal(canceled.Token, thrown.CancellationToken);
    }

    [Fact]
    public async Task Method_ThatWaits_ReturnsItsResultOrThrows_WhenResumedElsewhere()
    {
        var gate = new Gate(2);
        var ok = WaitAsync(gate, 5);
        var failing = WaitAsync(gate, -1);
        Assert.False(ok.IsCompleted);
        Assert.False(failing.IsCompleted);

        await Task.Run(gate.Open);
        Assert.Equal(5, await ok);
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await failing);
        Assert.Equal("negative", thrown.Message);
    }

    [Fact]
    public async Task AsyncLocal_OfTheCaller_IsSeenAfterTheAwait_WhereverItResumes()
    {
        var gate = new Gate(1);
        var local = new AsyncLocal<string>();
        local.Value = "caller";
        var seen = ReadAfterWaitAsync(gate, local);
        local.Value = "changed after the call";

        // The opening thread has a value of its own; the method still sees the one it was called with.
        await Task.Run(() =>
        {
            local.Value = "opener";
            gate.Open();
        });

        Assert.Equal("caller", await seen);
    }

    [Fact]
    public void Burst_OfAThousandInFlight_LeavesItsBoxesForTheNextBurst_WhichAllocatesNone()
    {
        // .NET's pooling builder keeps one idle box per thread and one per core: its second burst would allocate
        // nearly a thousand boxes again (~175 KB).
        var tasks = new ValueTask<int>[Burst];
        var gate = new Gate(Burst);
        RunBurst(tasks, gate);
        var before = GC.GetAllocatedBytesForCurrentThread();
        RunBurst(tasks, gate);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < Burst * 8, $"the second burst of {Burst} calls allocated {allocated} bytes");
    }

    /// <summary>A thousand calls all waiting at once, then all let go; each result read (which frees its box).</summary>
    private static void RunBurst(ValueTask<int>[] tasks, Gate gate)
    {
        gate.Reset();
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = WaitAsync(gate, i);
        }

        gate.Open();
        for (var i = 0; i < tasks.Length; i++)
        {
            // Not Assert.Equal: it allocates a comparer per call, which the measure would count.
            if (tasks[i].Result is var result && result != i)
            {
                Assert.Fail($"call {i} returned {result}");
            }
        }
    }

    [AsyncMethodBuilder(typeof(BurstPoolingMethodBuilder<>))]
    private static async ValueTask<int> ImmediateAsync(int value)
    {
        await Task.CompletedTask;
        return value >= 0 ? value : throw new InvalidOperationException("negative");
    }

    [AsyncMethodBuilder(typeof(BurstPoolingMethodBuilder<>))]
    private static async ValueTask<int> CanceledAsync(CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        cancellationToken.ThrowIfCancellationRequested();
        return 0;
    }

    [AsyncMethodBuilder(typeof(BurstPoolingMethodBuilder<>))]
    private static async ValueTask<int> WaitAsync(Gate gate, int value)
    {
        await gate;
        return value >= 0 ? value : throw new InvalidOperationException("negative");
    }

    [AsyncMethodBuilder(typeof(BurstPoolingMethodBuilder<>))]
    private static async ValueTask<string?> ReadAfterWaitAsync(Gate gate, AsyncLocal<string> local)
    {
        await gate;
        return local.Value;
    }

    /// <summary>An awaitable that keeps its waiters' continuations in a fixed array and runs them on <see cref="Open"/>: no allocation per wait.</summary>
    private sealed class Gate(int capacity)
    {
        private readonly Action[] _waiting = new Action[capacity];
        private int _count;

        public Awaiter GetAwaiter() => new(this);

        public void Reset() => _count = 0;

        public void Open()
        {
            for (var i = 0; i < _count; i++)
            {
                _waiting[i]();
                _waiting[i] = null!;
            }
        }

        public readonly struct Awaiter(Gate gate) : ICriticalNotifyCompletion
        {
            public bool IsCompleted => false;

            public void GetResult()
            {
            }

            public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

            public void UnsafeOnCompleted(Action continuation) => gate._waiting[gate._count++] = continuation;
        }
    }
}
