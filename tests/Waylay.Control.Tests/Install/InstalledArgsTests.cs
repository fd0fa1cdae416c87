using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using Waylay.TestKit;

namespace Waylay.Control.Tests.Install;

/// <summary>
/// The installed containers' args run as they are: the webhook Deployment's args (its Secret and ConfigMap written
/// where the pod mounts them) start the real <c>waylay webhook</c>, which an API server holding the printed caBundle
/// trusts under the Service's name and which injects pods with the installed image and control plane; the control
/// plane's args parse, and stop only at what a pod has and this machine lacks (the in-cluster service account).
/// </summary>
public sealed class InstalledArgsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("wl-install-args-").FullName;

    [Fact]
    public async Task WebhookArgs_ServeTheInstalledCertificate_AndInjectTheInstalledImageAndControlPlane()
    {
        const string image = "registry.example.com/mesh/waylay:1.2";
        var objects = await PrintedInstall.RunAsync("--namespace", "mesh", "--image", image);
        var deployment = objects.Single<V1Deployment>("waylay-webhook");
        var pod = deployment.Spec.Template.Spec;
        var container = pod.Containers.Single();

        // What the kubelet does: each volume's files under its mount path (here below a temp directory).
        string Mounted(string path) => _directory + path;
        foreach (var mount in container.VolumeMounts)
        {
            var volume = pod.Volumes.Single(v => v.Name == mount.Name);
            var files = volume.Secret is { } secret
                ? objects.Single<V1Secret>(secret.SecretName).Data.ToDictionary(d => d.Key, d => Encoding.ASCII.GetString(d.Value))
                : objects.Single<V1ConfigMap>(volume.ConfigMap.Name).Data.ToDictionary(d => d.Key, d => d.Value);
            Directory.CreateDirectory(Mounted(mount.MountPath));
            foreach (var (name, text) in files)
            {
                await File.WriteAllTextAsync(Path.Combine(Mounted(mount.MountPath), name), text);
            }
        }

        var port = FreePort();
        var args = container.Args.Select(a => a.StartsWith('/') ? Mounted(a) : a).ToList();
        args[args.IndexOf("--port") + 1] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var webhook = Process.Start(new ProcessStartInfo(WaylayCli.Path, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        try
        {
            var service = objects.Single<V1Service>("waylay-webhook");
            var caBundle = Encoding.ASCII.GetString(objects.OfType<V1MutatingWebhookConfiguration>().Single().Webhooks[0].ClientConfig.CaBundle);
            using var client = ApiServerClient(caBundle, port);
            var baseAddress = new Uri($"https://{service.Metadata.Name}.mesh.svc/");
            var ready = await PollAsync(async () => (await client.GetAsync(new Uri(baseAddress, container.ReadinessProbe.HttpGet.Path))).IsSuccessStatusCode, webhook);
            Assert.True(ready, "the webhook did not answer its readiness probe: " + (webhook.HasExited ? await webhook.StandardError.ReadToEndAsync() : "still starting"));

            var review = new JsonObject
            {
                ["apiVersion"] = "admission.k8s.io/v1",
                ["kind"] = "AdmissionReview",
                ["request"] = new JsonObject
                {
                    ["uid"] = "wl-install-args",
                    ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
                    ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
                    ["namespace"] = "shop",
                    ["operation"] = "CREATE",
                    ["object"] = new JsonObject
                    {
                        ["apiVersion"] = "v1",
                        ["kind"] = "Pod",
                        ["metadata"] = new JsonObject { ["name"] = "app", ["namespace"] = "shop" },
                        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "nginx" }) },
                    },
                },
            };
            var hook = objects.OfType<V1MutatingWebhookConfiguration>().Single().Webhooks[0];
            using var response = await client.PostAsync(new Uri(baseAddress, hook.ClientConfig.Service.Path), new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json"));
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["response"]!;
            Assert.True(answer["allowed"]!.GetValue<bool>(), answer.ToJsonString());
            var patch = Encoding.UTF8.GetString(Convert.FromBase64String(answer["patch"]!.GetValue<string>()));
            Assert.Contains($"\"image\":\"{image}\"", patch, StringComparison.Ordinal);
            Assert.Contains("waylay-control.mesh:15010", patch, StringComparison.Ordinal);
        }
        finally
        {
            webhook.Kill(entireProcessTree: true);
            await webhook.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task ControlArgs_Parse_AndNeedOnlyThePodsServiceAccount()
    {
        var objects = await PrintedInstall.RunAsync("--namespace", "mesh");
        var container = objects.Single<V1Deployment>("waylay-control").Spec.Template.Spec.Containers.Single();

        var result = await WaylayCli.RunAsync([.. container.Args]);

        // Outside a pod the in-cluster configuration is missing; any other refusal would be a wrong flag.
        WaylayCli.AssertRefused(result, 2, "not running in a cluster (KUBERNETES_SERVICE_HOST is unset");
    }

    /// <summary>Dials 127.0.0.1:<paramref name="port"/> whatever the URL's host, trusts only <paramref name="caPem"/>, and checks the name as the API server does.</summary>
    private static HttpClient ApiServerClient(string caPem, int port)
    {
        var ca = X509Certificate2.CreateFromPem(caPem);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        };
        return new HttpClient(handler);
    }

    private static async Task<bool> PollAsync(Func<Task<bool>> probe, Process process)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                if (await probe())
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(50);
        }

        return false;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
