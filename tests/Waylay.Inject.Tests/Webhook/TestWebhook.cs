using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Waylay.Inject.Values;
using Waylay.Inject.Webhook;

namespace Waylay.Inject.Tests.Webhook;

/// <summary>
/// A real webhook on 127.0.0.1 with an ephemeral port and a certificate made for the test, and an HTTPS
/// client that trusts only that certificate's CA. Removes its files on dispose.
/// </summary>
internal sealed class TestWebhook : IAsyncDisposable
{
    private readonly WebhookServer _server;
    private readonly string _directory;

    private TestWebhook(WebhookServer server, string directory, HttpClient client, WebhookCertificateSet certificates)
    {
        _server = server;
        _directory = directory;
        Client = client;
        Certificates = certificates;
    }

    public HttpClient Client { get; }

    public WebhookCertificateSet Certificates { get; }

    public string CertPath => Path.Combine(_directory, WebhookCertificates.CertFile);

    public string KeyPath => Path.Combine(_directory, WebhookCertificates.KeyFile);

    public int Port => _server.Port;

    public static async Task<TestWebhook> StartAsync(InjectionValues? values = null, long maxRequestBytes = 4 * 1024 * 1024, TimeSpan? requestTimeout = null)
    {
        var directory = Directory.CreateTempSubdirectory("wl-inject-test-").FullName;
        var certificates = WebhookCertificates.Generate("waylay-webhook", "waylay-system", [IPAddress.Loopback], TimeProvider.System, TimeSpan.FromDays(1));
        WebhookCertificates.Write(certificates, directory);
        var server = await WebhookServer.StartAsync(new WebhookOptions
        {
            Address = IPAddress.Loopback,
            Port = 0,
            CertPath = Path.Combine(directory, WebhookCertificates.CertFile),
            KeyPath = Path.Combine(directory, WebhookCertificates.KeyFile),
            Values = values ?? InjectionValues.Default,
            MaxRequestBytes = maxRequestBytes,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10),
            LogToConsole = false,
        }, CancellationToken.None);
        var client = TrustingClient(certificates.CaPem);
        client.BaseAddress = new Uri($"https://127.0.0.1:{server.Port}/");
        return new TestWebhook(server, directory, client, certificates);
    }

    /// <summary>An HTTPS client that validates the server's chain against <paramref name="caPem"/> only (no system roots).</summary>
    public static HttpClient TrustingClient(string caPem, Action<X509Certificate2>? seen = null)
    {
        var ca = X509Certificate2.CreateFromPem(caPem);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null)
                    {
                        return false;
                    }

                    var leaf = new X509Certificate2(certificate);
                    seen?.Invoke(leaf);
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(leaf) && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None;
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public static JsonObject Review(JsonObject pod, string ns, string uid = "0b6b4b1c-2d1e-4f57-9d5b-6a1f0c1e2a3b", string operation = "CREATE") => new()
    {
        ["apiVersion"] = "admission.k8s.io/v1",
        ["kind"] = "AdmissionReview",
        ["request"] = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["requestKind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["namespace"] = ns,
            ["operation"] = operation,
            ["userInfo"] = new JsonObject { ["username"] = "system:serviceaccount:kube-system:replicaset-controller" },
            ["object"] = pod.DeepClone(),
            ["oldObject"] = null,
            ["dryRun"] = false,
        },
    };

    public async Task<JsonObject> PostAsync(string body, string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await Client.PostAsync("inject", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>Sends <paramref name="pod"/> as the API server would and applies the returned patch, if any.</summary>
    public async Task<(JsonObject Pod, JsonObject Response)> InjectAsync(JsonObject pod, string ns)
    {
        var review = await PostAsync(Review(pod, ns).ToJsonString());
        var response = (JsonObject)review["response"]!;
        Assert.Equal("AdmissionReview", review["kind"]!.GetValue<string>());
        Assert.Equal("admission.k8s.io/v1", review["apiVersion"]!.GetValue<string>());
        Assert.Equal("0b6b4b1c-2d1e-4f57-9d5b-6a1f0c1e2a3b", response["uid"]!.GetValue<string>());
        if (response["patch"] is not { } patch)
        {
            return (pod, response);
        }

        Assert.Equal("JSONPatch", response["patchType"]!.GetValue<string>());
        var operations = (JsonArray)JsonNode.Parse(Convert.FromBase64String(patch.GetValue<string>()))!;
        return ((JsonObject)Patch.JsonPatchApplier.Apply(pod, operations)!, response);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
