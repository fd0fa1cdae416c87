using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Waylay.Samples.Tests.Bookinfo;

/// <summary>
/// A stand-in for one Bookinfo service, in the test process on 127.0.0.1 (port chosen by the kernel): it answers as
/// the test says (a status, a JSON body, or never) and keeps every request it got with its headers, so a test can
/// see what the real role sent and make the failures Istio's fault injection makes.
/// </summary>
internal sealed class TestPeer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();

    private TestPeer(WebApplication app) => _app = app;

    public int Port { get; private set; }

    /// <summary>Every request, in arrival order: path and headers (names lower-case, values joined with ",").</summary>
    public ConcurrentQueue<(string Path, IReadOnlyDictionary<string, string> Headers)> Requests { get; } = new();

    public IEnumerable<KeyValuePair<string, string>> AsPeer(string name) => BookinfoProcess.PeerEnvironment(name, Port);

    /// <summary>Answers each request with <paramref name="answer"/>'s status and JSON body (attempt number from 1).</summary>
    public static Task<TestPeer> AnsweringAsync(Func<int, (int Status, string Json)> answer) =>
        StartAsync(async (context, attempt, _) =>
        {
            var (status, json) = answer(attempt);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(json);
        });

    /// <summary>Takes every request and never answers it (until the peer is disposed): a peer slower than any timeout.</summary>
    public static Task<TestPeer> NeverAnsweringAsync() =>
        StartAsync(async (_, _, stopping) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, stopping);
            }
            catch (OperationCanceledException)
            {
            }
        });

    private static async Task<TestPeer> StartAsync(Func<HttpContext, int, CancellationToken, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.RequestHeaderEncodingSelector = _ => System.Text.Encoding.UTF8;
        });
        var app = builder.Build();
        var peer = new TestPeer(app);
        var count = 0;
        app.Run(context =>
        {
            peer.Requests.Enqueue((context.Request.Path + context.Request.QueryString, context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
            return handle(context, Interlocked.Increment(ref count), peer._stopping.Token);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        peer.Port = new Uri(address).Port;
        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
