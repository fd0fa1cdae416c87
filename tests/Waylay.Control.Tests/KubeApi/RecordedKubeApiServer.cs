using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Waylay.Control.Tests.KubeApi;

/// <summary>
/// A Kubernetes API server that answers from recordings, over HTTPS on 127.0.0.1 with a certificate from its own CA
/// (written into <see cref="KubeconfigPath"/>, so KubernetesClient verifies TLS as against a cluster). It serves:
/// <list type="bullet">
///   <item>a list (<c>GET /api/v1/services</c>): the next recorded list file of that collection;</item>
///   <item>a watch (<c>?watch=true&amp;resourceVersion=…&amp;allowWatchBookmarks=true</c>): the next
///   <see cref="WatchSession"/>, one JSON event per line, chunked and flushed, kept open like the real server;</item>
///   <item>writes (server-side apply's PATCH, DELETE) and the reads of what was written, from <see cref="Store"/>;</item>
///   <item>a request <see cref="Refuse"/> names: that status, as an API server refusing it (RBAC, admission);</item>
///   <item>any collection not recorded nor served: 404 with a Status body, as for a CustomResourceDefinition not installed.</item>
/// </list>
/// Every request is kept (<see cref="Requests"/>, with its method, query and body), so a test asserts where the client
/// resumed, that it relisted, or what it sent and in which order.
/// </summary>
internal sealed class RecordedKubeApiServer : IAsyncDisposable
{
    public const string Token = "wl-test-token";

    private readonly ConcurrentDictionary<string, RecordedResource> _resources = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<KubeRequest> _requests = new();
    private readonly ConcurrentDictionary<(string Method, string Path), (int Code, string Reason)> _refusals = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TestCertificates _certificates;
    private readonly string _directory;
    private WebApplication? _app;

    private RecordedKubeApiServer(TestCertificates certificates, string directory)
    {
        _certificates = certificates;
        _directory = directory;
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>A kubeconfig naming this server, its CA (certificate-authority-data) and a bearer token.</summary>
    public string KubeconfigPath => Path.Combine(_directory, "kubeconfig");

    public IReadOnlyList<KubeRequest> Requests => [.. _requests];

    /// <summary>The objects written (server-side apply) and not deleted since, by API path; served once <see cref="AcceptWrites"/> is called.</summary>
    public KubeObjectStore Store { get; } = new();

    private volatile bool _acceptWrites;

    /// <summary>
    /// Serves writes and the reads of what was written (<see cref="Store"/>) for every path not recorded; off by
    /// default, so the source's tests keep their 404 for a collection they did not record.
    /// </summary>
    public RecordedKubeApiServer AcceptWrites()
    {
        _acceptWrites = true;
        return this;
    }

    /// <summary>Answers <paramref name="method"/> on <paramref name="path"/> with <paramref name="code"/> from now on.</summary>
    public void Refuse(string method, string path, int code, string reason) => _refusals[(method, path)] = (code, reason);

    public static string DataPath(string file) => Path.Combine(AppContext.BaseDirectory, "testdata", "kube", file);

    /// <param name="protocols">HTTP/2 by ALPN as an API server offers it, or HTTP/1.1 only, where a watch is a chunked response.</param>
    public static async Task<RecordedKubeApiServer> StartAsync(HttpProtocols protocols = HttpProtocols.Http1AndHttp2)
    {
        var directory = Directory.CreateTempSubdirectory("wl-kubeapi-").FullName;
        var server = new RecordedKubeApiServer(TestCertificates.Create(), directory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols;
            listen.UseHttps(server._certificates.Server);
        }));
        var app = builder.Build();
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server._app = app;
        server.Address = new Uri(app.Urls.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        await File.WriteAllTextAsync(server.KubeconfigPath, server.Kubeconfig(server._certificates.CaPem));
        return server;
    }

    /// <summary>The collection at <paramref name="path"/>, e.g. <c>/api/v1/services</c> or <c>/apis/networking.istio.io/v1/gateways</c>.</summary>
    public RecordedResource Resource(string path) => _resources.GetOrAdd(path, _ => new RecordedResource());

    /// <summary>Whether <paramref name="path"/> has recordings (else it answers 404, as a collection not served).</summary>
    public bool Records(string path) => _resources.ContainsKey(path);

    public IReadOnlyList<KubeRequest> RequestsFor(string path) => [.. _requests.Where(r => r.Path == path)];

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _certificates.Dispose();
        _stopping.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var watch = query["watch"] is { Count: > 0 } w && (w[0] == "true" || w[0] == "1");
        var path = context.Request.Path.Value ?? "";
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync(context.RequestAborted);
        _requests.Enqueue(new KubeRequest(path, watch, query["resourceVersion"].FirstOrDefault(), query["allowWatchBookmarks"].FirstOrDefault(),
            query["timeoutSeconds"].FirstOrDefault(), context.Request.Headers.Authorization.FirstOrDefault(), context.Request.Protocol)
        {
            Method = context.Request.Method,
            Query = query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal),
            ContentType = context.Request.ContentType,
            Body = body,
        });

        if (context.Request.Headers.Authorization != $"Bearer {Token}")
        {
            await StatusAsync(context, 401, "Unauthorized", "Unauthorized");
            return;
        }

        if (_refusals.TryGetValue((context.Request.Method, path), out var refusal))
        {
            await StatusAsync(context, refusal.Code, refusal.Reason, $"{context.Request.Method} {path} refused by the test");
            return;
        }

        if (_acceptWrites && !_resources.ContainsKey(path) && Store.Serves(path))
        {
            await ServeStoreAsync(context, path, body);
            return;
        }

        if (!_resources.TryGetValue(path, out var resource) || (!watch && resource.NextList() is null))
        {
            await StatusAsync(context, 404, "NotFound", $"the server could not find the requested resource ({path})");
            return;
        }

        if (!watch)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(resource.CurrentList!, context.RequestAborted);
            return;
        }

        await PlayAsync(context, resource.NextWatch());
    }

    private async Task PlayAsync(HttpContext context, WatchSession session)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        var started = false;
        foreach (var (kind, line) in session.Steps)
        {
            switch (kind)
            {
                case WatchSession.StepKind.HttpGone when !started:
                    await StatusAsync(context, 410, "Expired", "too old resource version");
                    return;
                case WatchSession.StepKind.Event:
                    if (!started)
                    {
                        context.Response.ContentType = "application/json";
                        await context.Response.StartAsync(stop.Token);
                        started = true;
                    }

                    await context.Response.WriteAsync(line + "\n", stop.Token);
                    await context.Response.Body.FlushAsync(stop.Token);
                    break;
                case WatchSession.StepKind.Close:
                    return;
                case WatchSession.StepKind.Drop:
                    context.Abort();
                    return;
            }
        }

        if (!started)
        {
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync(stop.Token);
            await context.Response.Body.FlushAsync(stop.Token);
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token); // a quiet watch stays open
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Server-side apply (PATCH: the body is the object), DELETE, GET of one object or of a collection by label.</summary>
    private async Task ServeStoreAsync(HttpContext context, string path, string body)
    {
        switch (context.Request.Method)
        {
            case "PATCH" when !KubeObjectStore.IsCollection(path):
                var o = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
                var created = Store.Put(path, o);
                await ObjectAsync(context, created ? 201 : 200, Store.Get(path)!);
                return;
            case "DELETE" when Store.Remove(path) is { } removed:
                await ObjectAsync(context, 200, removed);
                return;
            case "GET" when KubeObjectStore.IsCollection(path):
                await ObjectAsync(context, 200, Store.List(path, context.Request.Query["labelSelector"].FirstOrDefault()));
                return;
            case "GET" when Store.Get(path) is { } found:
                await ObjectAsync(context, 200, found);
                return;
            default:
                await StatusAsync(context, 404, "NotFound", $"{path} not found");
                return;
        }
    }

    private static async Task ObjectAsync(HttpContext context, int code, System.Text.Json.Nodes.JsonObject o)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(o.ToJsonString());
    }

    private static async Task StatusAsync(HttpContext context, int code, string reason, string message)
    {
        context.Response.StatusCode = code;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(
            $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"{{message}}","reason":"{{reason}}","code":{{code}}}""");
    }

    /// <summary>A kubeconfig for this server that trusts another CA instead (<paramref name="caPem"/>): TLS must fail.</summary>
    public string WriteKubeconfigTrusting(string caPem)
    {
        var path = Path.Combine(_directory, "kubeconfig-other-ca");
        File.WriteAllText(path, Kubeconfig(caPem));
        return path;
    }

    private string Kubeconfig(string caPem) => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: recorded
          cluster:
            server: {Address.ToString().TrimEnd('/')}
            certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(caPem))}
        users:
        - name: wl-test
          user:
            token: {Token}
        contexts:
        - name: recorded
          context:
            cluster: recorded
            user: wl-test
        current-context: recorded
        """;
}
