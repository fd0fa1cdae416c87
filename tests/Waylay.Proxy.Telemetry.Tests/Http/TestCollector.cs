using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Waylay.Proxy.Telemetry.Tests.Http;

/// <summary>A Zipkin collector stand-in on 127.0.0.1 (HttpListener): records every POST and answers with the statuses it is given.</summary>
internal sealed class TestCollector : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly Queue<int> _statuses = new();
    private readonly Task _loop;

    public TestCollector()
    {
        (_listener, Port) = Listen();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>When set, requests wait here before being answered (a collector that hangs).</summary>
    public TaskCompletionSource? Hold { get; set; }

    public void AnswerNext(params int[] statuses)
    {
        lock (_statuses)
        {
            foreach (var status in statuses)
            {
                _statuses.Enqueue(status);
            }
        }
    }

    /// <summary>The next POST; the timeout only keeps a broken test from hanging the run.</summary>
    public async Task<Received> NextAsync() => await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

    public bool TryNext(out Received received) => _received.Reader.TryRead(out received!);

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(10));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            _received.Writer.TryWrite(new Received(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.ContentType, body));
            if (Hold is { } hold)
            {
                await hold.Task;
            }

            int status;
            lock (_statuses)
            {
                status = _statuses.TryDequeue(out var next) ? next : 202;
            }

            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    // HttpListener cannot bind port 0, so a free port is probed first; a test running beside this one may take it in
    // between, so a refused start is tried again on another port rather than failing the test.
    private static (HttpListener Listener, int Port) Listen()
    {
        for (var attempt = 1; ; attempt++)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    public sealed record Received(string Method, string Path, string? ContentType, string Body);
}
