using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Waylay.Bench.YarpHttp1;
using Yarp.ReverseProxy.Forwarder;

// yarp-http1 LISTEN_PORT=UPSTREAM_IP:PORT …
// Kestrel (HTTP/1.1 only) on each LISTEN_PORT of every IPv4 address; every request goes through YARP's IHttpForwarder
// to that port's fixed upstream, Host kept and nothing added. Runs until killed.
// Set DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 in its environment as the waylay sidecar does (bench/http.sh does).
var upstreams = Upstreams.TryParse(args, out var error);
if (upstreams is null)
{
    Console.Error.WriteLine($"yarp-http1: {error}. Usage: yarp-http1 LISTEN_PORT=UPSTREAM_IP:PORT …");
    return 2;
}

// The bare host: Kestrel and the forwarder, no logging provider (nothing written per request), no routing, no
// middleware but the one terminal handler below.
var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
builder.Services.AddLogging();
builder.Services.AddHttpForwarder();
// With inline socket completions (set by bench/http.sh, as the waylay sidecar sets them) Kestrel can also run the
// request on the epoll thread instead of queueing it to the thread pool; the variable alone does not tell it to
// (TechEmpower's Kestrel entries set this option from the same variable).
var inline = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1";
builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = inline);
builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    // A sidecar's limits are the app's business, not an edge server's: no data-rate minimums, no body cap, keep-alive
    // as long as HAProxy's in the same benchmark (1 h).
    kestrel.Limits.MinRequestBodyDataRate = null;
    kestrel.Limits.MinResponseDataRate = null;
    kestrel.Limits.MaxRequestBodySize = null;
    kestrel.Limits.KeepAliveTimeout = TimeSpan.FromHours(1);
    foreach (var port in upstreams.Ports)
    {
        kestrel.Listen(IPAddress.Any, port, listen => listen.Protocols = HttpProtocols.Http1);
    }
});

var app = builder.Build();
var forwarder = app.Services.GetRequiredService<IHttpForwarder>();

// The upstream client, tuned for a sidecar: no proxy, redirects, decompression, cookies or Activity header
// propagation; pooled connections kept as long as Kestrel keeps the downstream ones; no per-server connection cap.
var client = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    ActivityHeadersPropagator = null,
    PooledConnectionIdleTimeout = TimeSpan.FromHours(1),
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    MaxConnectionsPerServer = int.MaxValue,
    ConnectTimeout = TimeSpan.FromSeconds(10),
});
var requestConfig = new ForwarderRequestConfig
{
    ActivityTimeout = TimeSpan.FromHours(1),
    Version = HttpVersion.Version11,
    VersionPolicy = HttpVersionPolicy.RequestVersionExact,
};

app.Run(context =>
{
    var prefix = upstreams.For(context.Connection.LocalPort);
    Debug.Assert(prefix is not null, "Kestrel listens only on the ports given");
    var sending = forwarder.SendAsync(context, prefix, client, requestConfig, TransparentTransformer.Instance);
    // Kestrel takes a Task, SendAsync gives a ValueTask: allocate the Task only when the forward did not finish
    // synchronously. Errors need nothing here: YARP answers 502/504 itself and the benchmark counts them.
    return sending.IsCompletedSuccessfully ? Task.CompletedTask : sending.AsTask();
});

await app.RunAsync();
return 0;
