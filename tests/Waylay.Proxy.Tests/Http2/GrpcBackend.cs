using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Waylay.TestKit;

namespace Waylay.Proxy.Tests.Http2;

/// <summary>
/// A real gRPC server (Kestrel + Grpc.AspNetCore, h2c only) serving <see cref="EchoService"/> and a plain
/// <c>GET /plain</c>, on a listening socket the test made: on loopback, or inside a test namespace (the socket
/// decides the namespace, so Kestrel is given its handle).
/// </summary>
internal sealed class GrpcBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Socket _socket;

    private GrpcBackend(WebApplication app, Socket socket, BackendProbe probe)
    {
        _app = app;
        _socket = socket;
        Probe = probe;
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>What it saw, and the fault the test tells it to show.</summary>
    public BackendProbe Probe { get; }

    public static Task<GrpcBackend> StartOnLoopbackAsync(string name)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(512);
        return StartAsync(name, socket);
    }

    /// <summary>Serves on <paramref name="listening"/> (bound and listening), which it then owns.</summary>
    public static async Task<GrpcBackend> StartAsync(string name, Socket listening)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.ListenHandle((ulong)listening.Handle, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new BackendName(name));
        var probe = new BackendProbe();
        builder.Services.AddSingleton(probe);
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            probe.Saw(context.Connection.Id);
            if (probe.Fault == BackendFault.Http503)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsync("down");
                return;
            }

            if (probe.Fault == BackendFault.Reset)
            {
                context.Abort();
                return;
            }

            await next(context);
        });
        app.MapGrpcService<EchoService>();
        app.MapGet("/plain", (HttpContext context) => $"{name}|{context.Request.Host}|{context.Request.Protocol}");
        await app.StartAsync();
        return new GrpcBackend(app, listening, probe);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _socket.StopListening();
    }
}
