using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using k8s.Models;
using Waylay.Control.Install;
using Waylay.Inject.Install;
using Waylay.Inject.Values;
using Waylay.Inject.Webhook;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Images.Build;

/// <summary>
/// The control plane and the webhook run from the built image as `waylay install` deploys them: the Deployment's
/// args after the image's entrypoint (`waylay`, which hands `control`/`webhook` to the NativeAOT waylay-control),
/// its uid, no capabilities, a read-only root and its volumes mounted, in a pod namespace of the test's own.
/// </summary>
public sealed class ControlImageTests(BuiltImage image) : IClassFixture<BuiltImage>
{
    private const string Namespace = "waylay-system";

    [NetnsFact]
    public async Task Webhook_WithTheInstallArgs_AnswersHealthzAndInjectsAnAdmissionReview()
    {
        var container = DeploymentContainer(InstallManifests.Objects(Namespace, null, InjectionValues.Default, null));
        var certs = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), RunId.Next("certs"))).FullName;
        try
        {
            var set = WebhookCertificates.Generate(InstallManifests.Name, Namespace, [], TimeProvider.System, TimeSpan.FromDays(1));
            WebhookCertificates.Write(set, certs);
            // A Secret volume's files are 0644 by default (defaultMode): readable by the webhook's uid.
            File.SetUnixFileMode(Path.Combine(certs, WebhookCertificates.KeyFile), (UnixFileMode)0b110_100_100);
            var mount = container.VolumeMounts.Single(m => m.Name == "certs").MountPath;
            await using var pod = await TestNamespace.CreateAsync();
            await using var webhook = await StartAsync(container, pod, [(certs, mount)]);

            // The API server's view: the Service's DNS name (its certificate's), trusting only the generated CA.
            var host = $"{InstallManifests.Name}.{Namespace}.svc";
            var handler = TestHttpClient.Handler(pod, new Dictionary<string, IPAddress> { [host] = IPAddress.Loopback }, uid: 0);
            using var ca = X509Certificate2.CreateFromPem(set.CaPem);
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { ca }, RevocationMode = X509RevocationMode.NoCheck };
            using var http = new HttpClient(handler);
            var port = container.Ports.Single().ContainerPort;
            Assert.Equal(HttpStatusCode.OK, await GetWhenListeningAsync(http, $"https://{host}:{port}/healthz", webhook));

            var review = JsonNode.Parse("""
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                 "request": {"uid": "7f0b2891-916f-4ed6-b7cd-27bff1815a8c", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                  "resource": {"group": "", "version": "v1", "resource": "pods"}, "namespace": "default", "operation": "CREATE",
                  "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "default", "labels": {"app": "app"}},
                   "spec": {"containers": [{"name": "app", "image": "app:1", "ports": [{"containerPort": 8080}]}]}}}}
                """);
            using var answer = await http.PostAsJsonAsync($"https://{host}:{port}/inject", review);
            var response = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["response"]!;

            Assert.Equal("7f0b2891-916f-4ed6-b7cd-27bff1815a8c", response["uid"]!.GetValue<string>());
            Assert.True(response["allowed"]!.GetValue<bool>());
            var patch = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(response["patch"]!.GetValue<string>()));
            Assert.Contains("\"/spec/initContainers\"", patch);
            Assert.Contains(image.Reference, patch);
        }
        finally
        {
            Directory.Delete(certs, recursive: true);
        }
    }

    [NetnsFact]
    public async Task ControlPlane_WithTheInstallArgs_OutsideACluster_FailsNamingTheServiceAccount()
    {
        var container = DeploymentContainer(ControlManifests.Objects(Namespace, image.Reference, "IfNotPresent"));
        Assert.Contains("--in-cluster", container.Args);
        await using var pod = await TestNamespace.CreateAsync();
        await using var control = await StartAsync(container, pod, []);

        var run = await control.RunAsync();

        // It ran (waylay → waylay-control), parsed the manifest's args and refused for the one missing thing.
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("not running in a cluster (KUBERNETES_SERVICE_HOST is unset", run.StandardError + run.StandardOutput);
    }

    [NetnsFact]
    public async Task ControlPlane_WithTheInstallPortsAndFiles_AnswersReadyOnItsDebugPort()
    {
        var container = DeploymentContainer(ControlManifests.Objects(Namespace, image.Reference, "IfNotPresent"));
        var mesh = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), RunId.Next("mesh"))).FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(mesh, "reviews.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: reviews, namespace: default}
                spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
                """);
            // The Deployment's args with its cluster source (--in-cluster, which needs an API server) swapped for files.
            container.Args = [.. container.Args.SelectMany(a => a == "--in-cluster" ? new[] { "-f", "/etc/waylay/mesh" } : [a])];
            await using var pod = await TestNamespace.CreateAsync();
            await using var control = await StartAsync(container, pod, [(mesh, "/etc/waylay/mesh")]);

            using var http = new HttpClient(TestHttpClient.Handler(pod, uid: 0));
            var probe = container.ReadinessProbe.HttpGet;
            Assert.Equal(HttpStatusCode.OK, await GetWhenListeningAsync(http, $"http://127.0.0.1:{probe.Port.Value}{probe.Path}", control));
            var config = await http.GetStringAsync($"http://127.0.0.1:{probe.Port.Value}/debug/configz");
            Assert.Contains("reviews.default", config);
        }
        finally
        {
            Directory.Delete(mesh, recursive: true);
        }
    }

    private static V1Container DeploymentContainer(IReadOnlyList<object> objects) =>
        objects.OfType<V1Deployment>().Single().Spec.Template.Spec.Containers.Single();

    private async Task<RuncContainer> StartAsync(V1Container container, TestNamespace pod, IReadOnlyList<(string, string)> mounts)
    {
        var security = container.SecurityContext;
        Assert.Equal(image.Reference, container.Image);
        var runc = await RuncContainer.CreateAsync(
            image, pod, [.. container.Args], (uint)security.RunAsUser!.Value, (uint)(security.RunAsGroup ?? security.RunAsUser).Value,
            container.SecurityContext.Capabilities?.Add?.ToArray() ?? [], security.ReadOnlyRootFilesystem == true, mounts);
        return runc;
    }

    /// <summary>
    /// GETs <paramref name="url"/> until it answers 200 (connection refused until the server listens, 503 until it is
    /// ready, as a kubelet's probe sees it); the last status after 30 s, or a failure with its output if the container exits.
    /// </summary>
    private static async Task<HttpStatusCode> GetWhenListeningAsync(HttpClient http, string url, RuncContainer container)
    {
        var process = container.Start();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.OK || DateTime.UtcNow >= deadline)
                {
                    return response.StatusCode;
                }

                await Task.Delay(20);
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(20);
            }
            catch (HttpRequestException e)
            {
                var output = process.HasExited ? await process.StandardError.ReadToEndAsync() : "(still running)";
                throw new InvalidOperationException($"{url} did not answer ({e.Message}); container output: {output}", e);
            }
        }
    }
}
