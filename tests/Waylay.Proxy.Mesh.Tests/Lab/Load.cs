using System.Collections.Concurrent;
using System.Net;

namespace Waylay.Proxy.Mesh.Tests.Lab;

/// <summary>
/// Steady background traffic: <c>workers</c> loops each sending one request after another until stopped, counting
/// every answer and keeping every failure (a non-success status or an exception) with what it was, so a test can
/// assert that nothing it did to the proxy meanwhile cost a healthy request.
/// </summary>
internal sealed class Load : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private int _succeeded;

    private Load(HttpClient client, Func<HttpRequestMessage> request, int workers)
    {
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(() => RunAsync(client, request))).ToArray();
    }

    public int Succeeded => Volatile.Read(ref _succeeded);

    public ConcurrentQueue<string> Failures { get; } = new();

    /// <summary>Which endpoint (x-served-by) answered, in order, across all workers.</summary>
    public ConcurrentQueue<string> ServedBy { get; } = new();

    public static Load Start(HttpClient client, Func<HttpRequestMessage> request, int workers = 4) => new(client, request, workers);

    /// <summary>Stops the loops after their current request and returns when all have ended.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    /// <summary>Stops the loops when a test ended early (a failed assert), so none spins against a torn-down pod.</summary>
    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task RunAsync(HttpClient client, Func<HttpRequestMessage> request)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var message = request();
                using var response = await client.SendAsync(message, CancellationToken.None);
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref _succeeded);
                    ServedBy.Enqueue(response.Headers.TryGetValues("x-served-by", out var by) ? by.First() : "?");
                }
                else
                {
                    Failures.Enqueue($"{(int)response.StatusCode} {response.Headers} {body}");
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
            {
                Failures.Enqueue(e.ToString());
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }
}
