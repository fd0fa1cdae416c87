using Waylay.Control.Sources;
using Waylay.Control.Sources.Kubernetes;
using Waylay.Control.Tests.KubeApi;

namespace Waylay.Control.Tests.Sources.Kubernetes;

/// <summary>A <see cref="KubernetesSource"/> running against a recorded API server, stopped on dispose.</summary>
internal sealed class SourceRun : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _stop = new();
    private readonly KubernetesSource _source;
    private readonly Task _running;

    private SourceRun(KubernetesSource source)
    {
        _source = source;
        _running = source.RunAsync(_stop.Token);
    }

    public SourceSnapshot Current => _source.Current;

    /// <summary>Small back-offs so resumes happen quickly; no test depends on their length.</summary>
    public static SourceRun Start(RecordedKubeApiServer server, TimeProvider? time = null, Func<KubernetesSourceOptions, KubernetesSourceOptions>? configure = null)
    {
        var options = new KubernetesSourceOptions(server.KubeconfigPath)
        {
            InitialBackoff = TimeSpan.FromMilliseconds(10),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
            BackoffJitter = 0.5,
        };
        return new SourceRun(new KubernetesSource(configure?.Invoke(options) ?? options, time, seed: 1));
    }

    /// <summary>Polls (bounded) until <paramref name="condition"/> holds; fails naming what was awaited and the last status.</summary>
    public async Task<SourceSnapshot> WaitForAsync(Func<SourceSnapshot, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            var snapshot = _source.Current;
            if (condition(snapshot))
            {
                return snapshot;
            }

            if (_running.IsFaulted)
            {
                await _running; // surfaces the failure
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}; status: {string.Join("; ", snapshot.Status.Kinds)}; ignored: {string.Join("; ", snapshot.Status.Ignored)}");
            }

            await Task.Delay(20);
        }
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, Func<string> state)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting for {what}; {state()}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _running;
        _source.Dispose();
        _stop.Dispose();
    }
}
