namespace Waylay.Proxy.Lifecycle;

/// <summary>
/// Starting → Live → Draining → Stopping. The drain is started once, by SIGTERM or POST /drain; quit skips it. The host
/// waits on <see cref="DrainRequested"/> (then, while it drains, on <see cref="QuitRequested"/>) and does the actual
/// work, so every signal takes one path.
/// </summary>
internal sealed class ProxyLifecycle
{
    private readonly TaskCompletionSource<string> _drain = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _quit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state = (int)ProxyState.Starting;

    public ProxyState State => (ProxyState)Volatile.Read(ref _state);

    /// <summary>Completes with the reason when a drain is requested.</summary>
    public Task<string> DrainRequested => _drain.Task;

    public Task QuitRequested => _quit.Task;

    public void MarkLive() => Interlocked.CompareExchange(ref _state, (int)ProxyState.Live, (int)ProxyState.Starting);

    public void BeginDrain(string reason)
    {
        Volatile.Write(ref _state, (int)ProxyState.Draining);
        _drain.TrySetResult(reason);
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
