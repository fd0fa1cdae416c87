using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Waylay.TestKit;

namespace Waylay.Proxy.Tests.Admin.AppProbes;

/// <summary>
/// An app with health endpoints, inside a test namespace, as the probes see it: Kestrel on a socket the test made
/// there (so it binds exactly the address given: the pod IP only, or 127.0.0.1 only), plain HTTP/1.1, HTTPS with a
/// self-signed certificate, or h2c gRPC with the standard health service (Grpc.HealthCheck's implementation).
/// HTTP answers every path with <see cref="Status"/>, except <c>/redirect-here</c> (302 to <c>/ready</c> on the same
/// host) and <c>/redirect-elsewhere</c> (302 to another host).
/// </summary>
internal sealed class ProbeApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly System.Net.Sockets.Socket _socket;
    private int _status = 200;
    private int _disposed;

    private ProbeApp(WebApplication app, System.Net.Sockets.Socket socket, HealthServiceImpl health)
    {
        _app = app;
        _socket = socket;
        Health = health;
    }

    /// <summary>What the app answers to HTTP (200: healthy).</summary>
    public int Status
    {
        get => Volatile.Read(ref _status);
        set => Volatile.Write(ref _status, value);
    }

    /// <summary>gRPC health: set a service's status (empty name: the whole server).</summary>
    public HealthServiceImpl Health { get; }

    /// <summary>Every HTTP request's header fields and the address it came from, in order.</summary>
    public ConcurrentQueue<(IPAddress? Client, IReadOnlyDictionary<string, string> Headers, string Path)> Requests { get; } = new();

    public static Task<ProbeApp> HttpAsync(TestNamespace ns, IPEndPoint endPoint) => StartAsync(ns, endPoint, https: false, grpc: false);

    public static Task<ProbeApp> HttpsAsync(TestNamespace ns, IPEndPoint endPoint) => StartAsync(ns, endPoint, https: true, grpc: false);

    public static Task<ProbeApp> GrpcAsync(TestNamespace ns, IPEndPoint endPoint) => StartAsync(ns, endPoint, https: false, grpc: true);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(bound.Token);
        await _app.DisposeAsync();
        _socket.StopListening();
    }

    private static async Task<ProbeApp> StartAsync(TestNamespace ns, IPEndPoint endPoint, bool https, bool grpc)
    {
        var socket = ns.Listen(endPoint);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = https ? SelfSigned() : null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenHandle((ulong)socket.Handle, listen =>
        {
            listen.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }));
        var health = new HealthServiceImpl();
        health.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        if (grpc)
        {
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(health);
        }

        var app = builder.Build();
        var probeApp = new ProbeApp(app, socket, health);
        if (grpc)
        {
            app.MapGrpcService<HealthServiceImpl>();
        }
        else
        {
            app.Run(context =>
            {
                var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
                probeApp.Requests.Enqueue((context.Connection.RemoteIpAddress, headers, context.Request.Path.Value ?? ""));
                switch (context.Request.Path.Value)
                {
                    case "/redirect-here":
                        context.Response.StatusCode = 302;
                        context.Response.Headers.Location = "/ready";
                        return Task.CompletedTask;
                    case "/redirect-elsewhere":
                        context.Response.StatusCode = 302;
                        context.Response.Headers.Location = "http://other.example/ready";
                        return Task.CompletedTask;
                    default:
                        context.Response.StatusCode = probeApp.Status;
                        return context.Response.WriteAsync($"status {probeApp.Status}");
                }
            });
        }

        await app.StartAsync();
        return probeApp;
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=wl-probe-app", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
