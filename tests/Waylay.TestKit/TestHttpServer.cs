using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Waylay.TestKit;

/// <summary>
/// A real HTTP/1.1 app (Kestrel) listening inside a test namespace: the versioned backend of the HTTP tests. Its
/// listening socket is made on a thread that entered the namespace, so Kestrel accepts there. It answers by path:
/// <list type="table">
///   <item><term>any other path</term><description>200, body = its name (e.g. <c>v2</c>), <c>x-served-by: v2</c></description></item>
///   <item><term><c>/headers</c></term><description>200, the request's fields as a JSON object (lines of one field joined with ",")</description></item>
///   <item><term><c>/delay/{ms}</c></term><description>answers after that many milliseconds</description></item>
///   <item><term><c>/status/{code}</c></term><description>answers with that status</description></item>
///   <item><term><c>/echo</c></term><description>the request body back (POST)</description></item>
///   <item><term><c>/chunked</c></term><description>its name in several chunks, no Content-Length</description></item>
///   <item><term><c>/ws</c></term><description>WebSocket echo (every message back, same type)</description></item>
/// </list>
/// <see cref="FailWith"/> set to a status (e.g. 503) answers every request with it, until set back to 0, at once
/// (before reading the request body) or, with <see cref="ReadBodyBeforeFailing"/>, once the whole body has arrived;
/// <see cref="Delay"/> holds every request that long first. Every
/// request is counted and kept (<see cref="Served"/>), so a test can tell exactly which endpoint took what.
/// </summary>
public sealed class TestHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;
    private int _connections;
    private int _failWith;
    private int _delayMilliseconds;
    private int _readBodyBeforeFailing;

    private TestHttpServer(WebApplication app, string name, IPEndPoint endPoint)
    {
        _app = app;
        Name = name;
        EndPoint = endPoint;
    }

    public string Name { get; }

    public IPEndPoint EndPoint { get; }

    /// <summary>Requests that reached this app (whatever it answered).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Connections accepted: with a keep-alive pool in front, far fewer than <see cref="Requests"/>.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Every request that reached the app, in arrival order.</summary>
    public ConcurrentQueue<ServedRequest> Served { get; } = new();

    /// <summary>0: healthy; otherwise every request is answered with this status (body: the name).</summary>
    public int FailWith
    {
        get => Volatile.Read(ref _failWith);
        set => Volatile.Write(ref _failWith, value);
    }

    /// <summary>With <see cref="FailWith"/>: read the request body to its end before answering (a server that fails late).</summary>
    public bool ReadBodyBeforeFailing
    {
        get => Volatile.Read(ref _readBodyBeforeFailing) == 1;
        set => Volatile.Write(ref _readBodyBeforeFailing, value ? 1 : 0);
    }

    /// <summary>0: answers at once; otherwise every request waits this long first (a slow endpoint among fast ones).</summary>
    public TimeSpan Delay
    {
        get => TimeSpan.FromMilliseconds(Volatile.Read(ref _delayMilliseconds));
        set => Volatile.Write(ref _delayMilliseconds, (int)value.TotalMilliseconds);
    }

    /// <summary>Starts Kestrel on <paramref name="endPoint"/> inside <paramref name="ns"/> and returns once it listens.</summary>
    public static async Task<TestHttpServer> StartAsync(TestNamespace ns, IPEndPoint endPoint, string name, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "wl-test-" + name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = ep => ns.Invoke(() => SocketTransportOptions.CreateDefaultBoundListenSocket(ep)));
        TestHttpServer? server = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(endPoint, listen => listen.Use(next => connection =>
            {
                Interlocked.Increment(ref server!._connections);
                return next(connection);
            }));
        });
        var app = builder.Build();
        server = new TestHttpServer(app, name, endPoint);
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            // connections still open at the bound are aborted by DisposeAsync below
        }

        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var request = context.Request;
        var response = context.Response;
        var path = request.Path.Value ?? "/";
        Served.Enqueue(new ServedRequest(request.Method, path + request.QueryString.Value, Fields(request)));
        response.Headers["x-served-by"] = Name;
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted);
        }

        if (FailWith is var failure and not 0)
        {
            if (ReadBodyBeforeFailing)
            {
                await request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            }

            await WriteAsync(response, failure, Name, context.RequestAborted);
            return;
        }

        if (path == "/ws" && context.WebSockets.IsWebSocketRequest)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await EchoAsync(socket, context.RequestAborted);
            return;
        }

        if (path == "/headers")
        {
            await WriteAsync(response, 200, JsonSerializer.Serialize(Fields(request)), context.RequestAborted);
        }
        else if (path.StartsWith("/delay/", StringComparison.Ordinal))
        {
            await Task.Delay(int.Parse(path["/delay/".Length..], CultureInfo.InvariantCulture), context.RequestAborted);
            await WriteAsync(response, 200, Name, context.RequestAborted);
        }
        else if (path.StartsWith("/status/", StringComparison.Ordinal))
        {
            await WriteAsync(response, int.Parse(path["/status/".Length..], CultureInfo.InvariantCulture), Name, context.RequestAborted);
        }
        else if (path == "/echo")
        {
            response.ContentLength = request.ContentLength;
            await request.Body.CopyToAsync(response.Body, context.RequestAborted);
        }
        else if (path == "/chunked")
        {
            foreach (var part in new[] { Name, "-", "chunked" })
            {
                await response.WriteAsync(part, context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
            }
        }
        else
        {
            await WriteAsync(response, 200, Name, context.RequestAborted);
        }
    }

    private static async Task WriteAsync(HttpResponse response, int status, string body, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        response.StatusCode = status;
        response.ContentType = "text/plain";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, cancellationToken);
    }

    private static Dictionary<string, string> Fields(HttpRequest request)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in request.Headers)
        {
            fields[key.ToLowerInvariant()] = value.ToString();
        }

        return fields;
    }

    private static async Task EchoAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", cancellationToken);
                return;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                await socket.SendAsync(message.GetBuffer().AsMemory(0, (int)message.Length), result.MessageType, endOfMessage: true, cancellationToken);
                message.SetLength(0);
            }
        }
    }
}

/// <summary>One request as the app saw it: method, path with query, fields (lower-case names).</summary>
public sealed record ServedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Fields);
