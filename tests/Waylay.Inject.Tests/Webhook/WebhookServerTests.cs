using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Waylay.Inject.Webhook;
using static Waylay.Inject.Tests.InjectTestKit;

namespace Waylay.Inject.Tests.Webhook;

/// <summary>The webhook over real TLS on 127.0.0.1: requests as the API server sends them, and bad ones.</summary>
public sealed class WebhookServerTests
{
    private const string DeploymentPod = """
        apiVersion: v1
        kind: Pod
        metadata:
          generateName: productpage-v1-5f7c9d6b8-
          namespace: bookinfo
          labels: {app: productpage, version: v1, pod-template-hash: 5f7c9d6b8}
          ownerReferences:
          - {apiVersion: apps/v1, kind: ReplicaSet, name: productpage-v1-5f7c9d6b8, uid: 7d9f1a52-8c3e-4b0e-9d1f-2a6b3c4d5e6f, controller: true}
        spec:
          containers:
          - name: productpage
            image: docker.io/istio/examples-bookinfo-productpage-v1:1.20.2
            ports: [{containerPort: 9080}]
        """;

    [Fact]
    public async Task Healthz_AnswersOk()
    {
        await using var webhook = await TestWebhook.StartAsync();
        var response = await webhook.Client.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DeploymentCreatedPod_GetsThePatchThatInjectWouldMake()
    {
        await using var webhook = await TestWebhook.StartAsync();
        var pod = Pod(DeploymentPod);
        var (patched, response) = await webhook.InjectAsync(pod, "bookinfo");
        Assert.True(response["allowed"]!.GetValue<bool>());

        var expected = Injector.Inject(pod, new InjectionContext(Waylay.Inject.Values.InjectionValues.Default, "bookinfo", "productpage-v1")).Pod;
        Assert.True(JsonNode.DeepEquals(expected, patched));
        Assert.Equal(["productpage", "waylay-proxy"], Names(patched, "containers"));
    }

    [Fact]
    public async Task BarePod_WithoutAppLabel_UsesItsNameAsServiceCluster()
    {
        await using var webhook = await TestWebhook.StartAsync();
        var (patched, _) = await webhook.InjectAsync(Pod("""
            apiVersion: v1
            kind: Pod
            metadata: {name: debug}
            spec:
              containers: [{name: shell, image: busybox}]
            """), "default");
        var args = Args(Container(patched, "waylay-proxy")).ToList();
        Assert.Equal("debug", args[args.IndexOf("--serviceCluster") + 1]);
    }

    [Fact]
    public async Task ReplicaSetHash_IsStrippedFromTheWorkloadName()
    {
        await using var webhook = await TestWebhook.StartAsync();
        var (patched, _) = await webhook.InjectAsync(Pod(DeploymentPod.Replace("app: productpage, ", "", StringComparison.Ordinal)), "bookinfo");
        var args = Args(Container(patched, "waylay-proxy")).ToList();
        Assert.Equal("productpage-v1", args[args.IndexOf("--serviceCluster") + 1]);
    }

    [Theory]
    [InlineData("annotations: {sidecar.waylay.io/inject: \"false\"}")]
    [InlineData("annotations: {sidecar.istio.io/inject: \"false\"}")]
    [InlineData("labels: {sidecar.istio.io/inject: \"false\"}")]
    public async Task OptedOutPod_IsAllowedUnchanged(string optOut)
    {
        await using var webhook = await TestWebhook.StartAsync();
        var pod = Pod($$"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: opted-out
              {{optOut}}
            spec:
              containers: [{name: app, image: example.com/app:1}]
            """);
        var (patched, response) = await webhook.InjectAsync(pod, "default");
        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Null(response["patch"]);
        Assert.True(JsonNode.DeepEquals(pod, patched));
    }

    [Fact]
    public async Task PodInKubeSystem_IsAllowedUnchanged()
    {
        await using var webhook = await TestWebhook.StartAsync();
        var (_, response) = await webhook.InjectAsync(Pod(DeploymentPod), "kube-system");
        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Null(response["patch"]);
    }

    [Fact]
    public async Task PodWithInvalidAnnotations_IsDenied_WithTheReason()
    {
        await using var webhook = await TestWebhook.StartAsync();
        var (_, response) = await webhook.InjectAsync(Pod(PodWithAnnotations("traffic.sidecar.istio.io/excludeOutboundPorts: \"all\"")), "default");
        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(400, response["status"]!["code"]!.GetValue<int>());
        Assert.Contains("'all' is not a port", response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostNetworkPod_IsAllowed_WithAWarning()
    {
        await using var webhook = await TestWebhook.StartAsync();
        var (_, response) = await webhook.InjectAsync(Pod(DeploymentPod + "\n  hostNetwork: true"), "default");
        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Null(response["patch"]);
        Assert.Contains("hostNetwork", response["warnings"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("this is not json", "not JSON")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Pod\"}", "not an AdmissionReview")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v2\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"1\"}}", "apiVersion 'admission.k8s.io/v2' is not supported")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}", "no request.uid")]
    [InlineData("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"object\":[1]}}", "request.object is missing")]
    [InlineData("[", "not JSON")]
    [InlineData("", "no body")]
    public async Task MalformedBody_GetsAnAdmissionReviewWithAnErrorStatus(string body, string message)
    {
        await using var webhook = await TestWebhook.StartAsync();
        var review = await webhook.PostAsync(body);
        var response = review["response"]!;
        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(400, response["status"]!["code"]!.GetValue<int>());
        Assert.Contains(message, response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // and the server is still there
        Assert.Equal(HttpStatusCode.OK, (await webhook.Client.GetAsync("healthz")).StatusCode);
    }

    [Fact]
    public async Task NonPodKind_IsAllowedWithoutPatch()
    {
        await using var webhook = await TestWebhook.StartAsync();
        var review = TestWebhook.Review(new JsonObject { ["kind"] = "Service" }, "default");
        review["request"]!["kind"]!["kind"] = "Service";
        var response = (await webhook.PostAsync(review.ToJsonString()))["response"]!;
        Assert.True(response["allowed"]!.GetValue<bool>());
        Assert.Null(response["patch"]);
    }

    [Fact]
    public async Task WrongContentType_Gets415InTheReview()
    {
        await using var webhook = await TestWebhook.StartAsync();
        var response = (await webhook.PostAsync("<xml/>", "application/xml"))["response"]!;
        Assert.Equal(415, response["status"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task OversizedBody_WithContentLength_Gets413InTheReview()
    {
        await using var webhook = await TestWebhook.StartAsync(maxRequestBytes: 64 * 1024);
        var body = TestWebhook.Review(Pod(DeploymentPod), "default");
        body["request"]!["object"]!["metadata"]!["annotations"] = new JsonObject { ["padding"] = new string('x', 100 * 1024) };
        var response = (await webhook.PostAsync(body.ToJsonString()))["response"]!;
        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(413, response["status"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task OversizedBody_Chunked_Gets413InTheReview()
    {
        await using var webhook = await TestWebhook.StartAsync(maxRequestBytes: 64 * 1024);
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string(' ', 200 * 1024) + "{}")));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "inject") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await webhook.Client.SendAsync(request);
        var review = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(413, review["response"]!["status"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task StalledBody_GetsAnswered_WithinTheDeadline()
    {
        await using var webhook = await TestWebhook.StartAsync(requestTimeout: TimeSpan.FromSeconds(1));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, webhook.Port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("127.0.0.1");
        var head = "POST /inject HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"apiVersion\":";
        await tls.WriteAsync(Encoding.ASCII.GetBytes(head));
        await tls.FlushAsync();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var reply = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while ((read = await tls.ReadAsync(buffer, timeout.Token)) > 0)
        {
            reply.Append(Encoding.UTF8.GetString(buffer, 0, read));
            if (reply.ToString().Contains("}}", StringComparison.Ordinal))
            {
                break;
            }
        }

        Assert.Contains("HTTP/1.1 200", reply.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"code\":408", reply.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPathAndMethod_AreRefused()
    {
        await using var webhook = await TestWebhook.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await webhook.Client.GetAsync("mutate")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await webhook.Client.GetAsync("inject")).StatusCode);
    }

    [Fact]
    public async Task Certificate_IsReloaded_WhenTheFilesChange()
    {
        await using var webhook = await TestWebhook.StartAsync();
        var seen = new List<X509Certificate2>();
        using (var first = TestWebhook.TrustingClient(webhook.Certificates.CaPem, seen.Add))
        {
            Assert.Equal(HttpStatusCode.OK, (await first.GetAsync($"https://127.0.0.1:{webhook.Port}/healthz")).StatusCode);
        }

        var rotated = WebhookCertificates.Generate("waylay-webhook", "waylay-system", [IPAddress.Loopback], TimeProvider.System, TimeSpan.FromDays(2));
        File.WriteAllText(webhook.CertPath, rotated.CertPem);
        File.WriteAllText(webhook.KeyPath, rotated.KeyPem);

        using var second = TestWebhook.TrustingClient(rotated.CaPem, seen.Add);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync($"https://127.0.0.1:{webhook.Port}/healthz")).StatusCode);
        Assert.Equal(2, seen.Count);
        Assert.NotEqual(seen[0].Thumbprint, seen[1].Thumbprint);
        Assert.Equal(X509Certificate2.CreateFromPem(rotated.CertPem).Thumbprint, seen[1].Thumbprint);
    }

    [Fact]
    public async Task HalfWrittenCertificate_KeepsThePreviousOne()
    {
        await using var webhook = await TestWebhook.StartAsync();
        File.WriteAllText(webhook.KeyPath, "-----BEGIN PRIVATE KEY-----\ntruncated");
        using var client = TestWebhook.TrustingClient(webhook.Certificates.CaPem);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"https://127.0.0.1:{webhook.Port}/healthz")).StatusCode);
    }

    [Fact]
    public async Task ClientNotTrustingTheCa_CannotConnect()
    {
        await using var webhook = await TestWebhook.StartAsync();
        var other = WebhookCertificates.Generate("other", "elsewhere", [IPAddress.Loopback], TimeProvider.System, TimeSpan.FromDays(1));
        using var client = TestWebhook.TrustingClient(other.CaPem);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"https://127.0.0.1:{webhook.Port}/healthz"));
    }
}
