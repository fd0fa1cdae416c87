namespace Waylay.Proxy.Lifecycle;

/// <summary>
/// Starting → Live → Draining → Stopping. The drain is started once, by SIGTERM or POST /drain; quit skips it. Its
/// first step, no longer accepting, runs in <see cref="BeginDrain"/> itself; the host waits on
/// <see cref="DrainRequested"/> (then, while it drains, on <see cref="QuitRequested"/>) and does the rest, so every
/// signal takes one path.
/// </summary>
internal sealed class ProxyLifecycle
{
    private readonly TaskCompletionSource<string> _drain = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _quit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state = (int)ProxyState.Starting;
    private Action? _stopAccepting;

    public ProxyState State => (ProxyState)Volatile.Read(ref _state);

    /// <summary>Completes with the reason when a drain is requested.</summary>
    public Task<string> DrainRequested => _drain.Task;

    public Task QuitRequested => _quit.Task;

    public void MarkLive() => Interlocked.CompareExchange(ref _state, (int)ProxyState.Live, (int)ProxyState.Starting);

    /// <summary>
    /// The drain's first step, which <see cref="BeginDrain"/> runs itself before it returns: whoever asked (POST /drain,
    /// a preStop hook, SIGTERM) may connect right after, and must then be refused, not accepted by a listener the host
    /// had not closed yet. Run on every call, so it must be idempotent (the host runs it too, for a drain begun
    /// before this was set).
    /// </summary>
    public void OnDrainStopAccepting(Action stopAccepting) => Volatile.Write(ref _stopAccepting, stopAccepting);

    public void BeginDrain(string reason)
    {
        Volatile.Write(ref _state, (int)ProxyState.Draining);
        _drain.TrySetResult(reason);
        Volatile.Read(ref _stopAccepting)?.Invoke();
    }

    public void Quit()
    {
        Volatile.Write(ref _state, (int)ProxyState.Stopping);
        _drain.TrySetResult("quitquitquit");
        _quit.TrySetResult();
    }
}

internal enum ProxyState
{
    Starting,
    Live,
    Draining,
    Stopping,
}
