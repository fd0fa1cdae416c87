using System.Buffers;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Waylay.Inject.Webhook;

/// <summary>
/// The mutating admission webhook on Kestrel, HTTPS only:
/// <code>
/// POST /inject   AdmissionReview → AdmissionReview (JSON Patch), see AdmissionHandler
/// GET  /healthz  200 "ok"
/// </code>
/// Bodies are read with a size cap and a deadline, so a bad client gets an AdmissionReview with an error
/// status instead of a crash or a hang; Kestrel's minimum data rate drops trickling senders.
/// </summary>
internal sealed class WebhookServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>The bound port (the ephemeral one when options asked for 0).</summary>
    public int Port { get; }

    public static async Task<WebhookServer> StartAsync(WebhookOptions options, CancellationToken cancellationToken)
    {
        var certificates = new CertificateReloader(options.CertPath, options.KeyPath);
        var handler = new AdmissionHandler(options.Values);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.ClearProviders();
        if (options.LogToConsole)
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning); // one line per review is ours
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None); // a failed start is thrown: the CLI says it once, without a trace
        }

        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null; // enforced by ReadBodyAsync, which answers with a review
            kestrel.Limits.RequestHeadersTimeout = options.RequestTimeout;
            kestrel.Listen(options.Address, options.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => certificates.Current);
            });
        });

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Waylay.Webhook");
        certificates.Reloaded += cert => WebhookLog.CertificateReloaded(logger, cert.Subject, cert.NotAfter.ToUniversalTime());
        certificates.ReloadFailed += e => WebhookLog.CertificateReloadFailed(logger, e);
        app.Run(http => RouteAsync(http, handler, options, logger));

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var port = new Uri(address.Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
        WebhookLog.Listening(logger, $"{(options.Address.Equals(IPAddress.IPv6Any) ? "[::]" : options.Address.ToString())}:{port}");
        return new WebhookServer(app, port);
    }

    /// <summary>Completes when the host is asked to stop (Ctrl-C, SIGTERM) or <paramref name="cancellationToken"/> fires.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static Task RouteAsync(HttpContext http, AdmissionHandler handler, WebhookOptions options, ILogger logger)
    {
        var path = http.Request.Path.Value;
        return (http.Request.Method, path) switch
        {
            ("GET", "/healthz") => http.Response.WriteAsync("ok\n"),
            ("POST", "/inject") => InjectAsync(http, handler, options, logger),
            (_, "/inject" or "/healthz") => Status(http, StatusCodes.Status405MethodNotAllowed, "use POST /inject or GET /healthz\n"),
            _ => Status(http, StatusCodes.Status404NotFound, "not found: the webhook serves POST /inject and GET /healthz\n"),
        };
    }

    private static async Task InjectAsync(HttpContext http, AdmissionHandler handler, WebhookOptions options, ILogger logger)
    {
        JsonObject review;
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim();
        if (mediaType is not null && !mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            review = Refuse(logger, 415, $"content type '{mediaType}' is not application/json; send the AdmissionReview as JSON.");
        }
        else if (http.Request.ContentLength > options.MaxRequestBytes)
        {
            review = Refuse(logger, 413, $"the request body ({http.Request.ContentLength} bytes) is larger than the {options.MaxRequestBytes} bytes the webhook reads.");
        }
        else
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            deadline.CancelAfter(options.RequestTimeout);
            var body = await ReadBodyAsync(http.Request, options.MaxRequestBytes, deadline.Token);
            review = body switch
            {
                null when http.RequestAborted.IsCancellationRequested => Refuse(logger, 400, "the client went away"),
                null when deadline.IsCancellationRequested => Refuse(logger, 408, $"the request body did not arrive within {options.RequestTimeout.TotalSeconds:0} s."),
                null => Refuse(logger, 413, $"the request body is larger than the {options.MaxRequestBytes} bytes the webhook reads."),
                { Length: 0 } => Refuse(logger, 400, "the request has no body; send an admission.k8s.io/v1 AdmissionReview."),
                _ => handler.Handle(body),
            };
        }

        if (review["response"] is JsonObject response)
        {
            WebhookLog.Answered(logger, response["uid"]?.ToString() ?? "", response["allowed"]?.GetValue<bool>() == true, response["patch"] is not null);
        }

        if (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(review.ToJsonString(), http.RequestAborted);
    }

    private static JsonObject Refuse(ILogger logger, int code, string message)
    {
        WebhookLog.Refused(logger, code, message);
        return AdmissionHandler.Error(null, "admission.k8s.io/v1", code, message);
    }

    /// <summary>The whole body, or null when it is over <paramref name="limit"/> or the deadline passed.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        AllowUnlimitedBody(request);
        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(16 * 1024);
                var read = await request.Body.ReadAsync(memory, cancellationToken);
                if (read == 0)
                {
                    return buffer.WrittenSpan.ToArray();
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > limit)
                {
                    return null;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The cap is ours (answered with a review), not Kestrel's (answered with a bare 413).</summary>
    private static void AllowUnlimitedBody(HttpRequest request)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = null;
        }
    }

    private static Task Status(HttpContext http, int code, string text)
    {
        http.Response.StatusCode = code;
        return http.Response.WriteAsync(text);
    }
}
