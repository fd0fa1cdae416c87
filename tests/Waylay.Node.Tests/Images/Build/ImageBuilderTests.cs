using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Waylay.Inject;
using Waylay.Inject.Values;
using Waylay.Node.Images.Build;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Images.Build;

/// <summary>
/// The built image, run for real: the injector renders a pod, and its init container and proxy run with runc from the
/// image exactly as injected (image, args, user, capabilities, read-only root) in a pod namespace of the test's own.
/// </summary>
[Collection(ImageBuilds.Name)]
public sealed class ImageBuilderTests(BuiltImage image) : IClassFixture<BuiltImage>
{
    private static readonly JsonObject Pod = JsonNode.Parse("""
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app", "namespace": "default", "labels": {"app": "app"}},
         "spec": {"containers": [{"name": "app", "image": "app:1", "ports": [{"containerPort": 8080}]}]}}
        """)!.AsObject();

    [NetnsFact]
    public async Task InitContainer_WithNetAdminAndNetRaw_LandsTheCaptureRules()
    {
        var (init, _) = Injected();
        await using var pod = await TestNamespace.CreateAsync();
        await using var container = await StartAsync(init, pod);

        var run = await container.RunAsync();

        Assert.True(run.Succeeded, $"the init container failed (exit {run.ExitCode}): {run.Diagnostic}");
        var rules = await pod.RunAsync("iptables-nft-save", "-t", "nat");
        Assert.Contains("-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports 15001", rules.StandardOutput);
        Assert.Contains("-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports 15006", rules.StandardOutput);
    }

    [NetnsFact]
    public async Task InitContainer_WithoutCapabilities_FailsSayingWhichItNeeds()
    {
        var (init, _) = Injected();
        init["securityContext"]!["capabilities"]!["add"] = new JsonArray();
        await using var pod = await TestNamespace.CreateAsync();
        await using var container = await StartAsync(init, pod);

        var run = await container.RunAsync();

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("NET_ADMIN", run.StandardError);
        Assert.DoesNotContain("ISTIO", (await pod.RunAsync("iptables-nft-save")).StandardOutput);
    }

    [NetnsFact]
    public async Task Proxy_AsUid1337WithReadOnlyRoot_GetsReadyAndRelaysAConnection()
    {
        var (init, proxySpec) = Injected();
        var (a, b) = await TestPod.CreatePairAsync("10.244.1.2/24", "10.244.1.3/24");
        await using var podA = a;
        await using var podB = b;
        using var server = TestServer.Start(b.Namespace, new IPEndPoint(b.Ip, 8080), TestServer.Echo);
        await using (var capture = await StartAsync(init, a.Namespace))
        {
            var run = await capture.RunAsync();
            Assert.True(run.Succeeded, $"the init container failed (exit {run.ExitCode}): {run.Diagnostic}");
        }

        await using var proxy = await StartAsync(proxySpec, a.Namespace);
        var process = proxy.Start(); // owned (and disposed) by the container
        await proxy.WaitRunningAsync();

        // The injected postStart hook, run inside the container as the kubelet would: `waylay proxy wait-ready`.
        var ready = await Waylay.Linux.Exec.RunAsync("runc", ["exec", proxy.Id, "waylay", "proxy", "wait-ready"], null);
        Assert.True(ready.Succeeded, $"wait-ready failed (exit {ready.ExitCode}): {ready.Diagnostic}; proxy exited: {process.HasExited}");
        using var http = TestHttpClient.Create(a.Namespace);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("http://127.0.0.1:15021/healthz/ready")).StatusCode);

        using var client = a.Namespace.Socket(AddressFamily.InterNetwork, uid: 1000);
        await client.ConnectAsync(new IPEndPoint(b.Ip, 8080));
        var local = (IPEndPoint)client.LocalEndPoint!;
        await client.SendAsync(Encoding.ASCII.GetBytes("through the image"));
        var buffer = new byte[64];
        var read = await client.ReceiveAsync(buffer);

        Assert.Equal("through the image", Encoding.ASCII.GetString(buffer, 0, read));
        // The server saw the proxy's own connection (a port of its choosing), not the app's: the relay happened.
        Assert.True(server.Clients.TryPeek(out var seen));
        Assert.NotEqual(local.Port, seen.Port);
    }

    /// <summary>
    /// The image is trimmed to what its programs run (DebianTrim.cs): the tools capture drives still run inside it, with
    /// every library they link and the iptables extensions they load, as the init container's root with its capabilities.
    /// </summary>
    [NetnsFact]
    public async Task TrimmedImage_RunsIpNftAndIptables_InThePodNamespace()
    {
        var (_, proxySpec) = Injected();
        await using var pod = await TestNamespace.CreateAsync();
        // A running container to exec the tools in (the proxy's args, as root with the init container's capabilities).
        await using var container = await RuncContainer.CreateAsync(
            image, pod, [.. proxySpec["args"]!.AsArray().Select(a => a!.GetValue<string>())], 0, 0, ["NET_ADMIN", "NET_RAW"], readOnlyRoot: true);
        container.Start();
        await container.WaitRunningAsync();

        string[][] commands =
        [
            ["ip", "-o", "link", "show", "lo"],
            ["iptables", "-t", "nat", "-N", "WL_PROBE"],
            ["iptables", "-t", "nat", "-A", "WL_PROBE", "-p", "tcp", "-m", "owner", "--uid-owner", "1337", "-j", "REDIRECT", "--to-ports", "15001"],
            ["iptables-save", "-t", "nat"],
            ["ip6tables-save"],
            ["iptables-legacy-save"],
            ["nft", "list", "ruleset"],
        ];
        var outputs = new List<string>();
        foreach (var command in commands)
        {
            var run = await Waylay.Linux.Exec.RunAsync("runc", ["exec", container.Id, .. command], null);
            Assert.True(run.Succeeded, $"{string.Join(' ', command)} failed in the image (exit {run.ExitCode}): {run.Diagnostic}");
            outputs.Add(run.StandardOutput);
        }

        Assert.Contains("lo:", outputs[0]);
        Assert.Contains("-A WL_PROBE -p tcp -m owner --uid-owner 1337 -j REDIRECT --to-ports 15001", outputs[3]);
        Assert.Contains("chain WL_PROBE", outputs[6]);
    }

    [NetnsFact]
    public async Task TwoBuilds_OfTheSameInputs_GiveTheSameDigestAndArchive()
    {
        var work = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), RunId.Next("build"))).FullName;
        try
        {
            var again = await ImageBuilder.BuildAsync(image.Options(Path.Combine(work, "again.tar"), work), TimeProvider.System, CancellationToken.None);

            Assert.Equal(image.Digest, again.Digest);
            Assert.Equal(Hash(image.Archive), Hash(again.Archive));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [NetnsFact]
    public async Task Image_RecordsItsPackages_AndServesTheInjectedCommands()
    {
        var bundle = Path.Combine(Path.GetTempPath(), RunId.Next("bundle"));
        try
        {
            await image.UnpackAsync(bundle);
            var status = await File.ReadAllTextAsync(Path.Combine(bundle, "rootfs/var/lib/dpkg/status"));
            foreach (var package in new[] { "iptables", "nftables", "iproute2", "ca-certificates", "libc6" })
            {
                Assert.Contains($"Package: {package}\nStatus: install ok installed\n", status);
            }

            // The injected containers give args only, the postStart hook runs `waylay` by name: entrypoint and PATH serve both.
            var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(bundle, "config.json")))!["process"]!;
            Assert.Equal("/usr/local/bin/waylay", config["args"]![0]!.GetValue<string>());
            Assert.StartsWith("PATH=/usr/local/bin:", config["env"]!.AsArray().Select(e => e!.GetValue<string>()).First(e => e.StartsWith("PATH=", StringComparison.Ordinal)));
            Assert.Equal("waylay-proxy", File.ResolveLinkTarget(Path.Combine(bundle, "rootfs/usr/local/bin/waylay"), returnFinalTarget: false)!.Name);
            Assert.True(new FileInfo(Path.Combine(bundle, "rootfs/etc/ssl/certs/ca-certificates.crt")).Length > 100_000);
            Assert.False(Directory.Exists(Path.Combine(bundle, "rootfs/usr/share/man")));

            // Trimmed (DebianTrim.cs): what only iproute2's other tools linked is gone, from the tree and from the status.
            Assert.False(File.Exists(Path.Combine(bundle, "rootfs/bin/ss")));
            foreach (var package in DebianTrim.Packages)
            {
                Assert.DoesNotContain($"Package: {package}\n", status);
            }

            Assert.Contains("Package: libssl3\n", status);
            Assert.True(File.Exists(Path.Combine(bundle, "rootfs/usr/lib/x86_64-linux-gnu/libssl.so.3")));
        }
        finally
        {
            if (Directory.Exists(bundle))
            {
                Directory.Delete(bundle, recursive: true);
            }
        }
    }

    /// <summary>The injected init container and proxy of a plain pod, with the injector's default values.</summary>
    private (JsonObject Init, JsonObject Proxy) Injected()
    {
        // No control plane runs here: injected without a discovery address, or the proxy would (rightly) stay unready
        // waiting for its first config, as istio-proxy does without istiod.
        var result = Injector.Inject((JsonObject)Pod.DeepClone(), new InjectionContext(new InjectionValues { DiscoveryAddress = "" }, "default", "app"));
        Assert.Equal(InjectionDecision.Injected, result.Decision);
        var init = result.Pod["spec"]!["initContainers"]!.AsArray().Single()!.AsObject();
        var proxy = result.Pod["spec"]!["containers"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "waylay-proxy")!.AsObject();
        Assert.Equal(image.Reference, init["image"]!.GetValue<string>());
        Assert.Equal(image.Reference, proxy["image"]!.GetValue<string>());
        return (init, proxy);
    }

    /// <summary>
    /// The layer is recompressed at gzip's highest level (LayerCompression.cs): still gzip (every runtime reads it), its
    /// blob named by its digest, the manifest's size true, and the tar inside the one the config's diff_id names.
    /// </summary>
    [Fact]
    public async Task Layer_IsGzipAtTheHighestLevel_AndEveryDigestHolds()
    {
        var blobs = Path.Combine(image.Layout, "blobs/sha256");
        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(image.Layout, "index.json")))!;
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Blob(index["manifests"]![0]!["digest"]!)))!;
        var config = JsonNode.Parse(await File.ReadAllTextAsync(Blob(manifest["config"]!["digest"]!)))!;
        var layer = manifest["layers"]!.AsArray().Single()!;
        var path = Blob(layer["digest"]!);

        Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", layer["mediaType"]!.GetValue<string>());
        Assert.Equal(layer["size"]!.GetValue<long>(), new FileInfo(path).Length);
        Assert.Equal(layer["digest"]!.GetValue<string>(), "sha256:" + Hash(path));
        var header = new byte[10];
        await using (var stream = File.OpenRead(path))
        {
            await stream.ReadExactlyAsync(header);
        }

        Assert.Equal([0x1f, 0x8b, 8], header[..3]); // gzip, deflate
        Assert.Equal(2, header[8]);                 // XFL 2: "compressor used maximum compression" (RFC 1952)
        await using var tar = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
        Assert.Equal(config["rootfs"]!["diff_ids"]![0]!.GetValue<string>(), "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(tar)));

        string Blob(JsonNode digest) => Path.Combine(blobs, digest.GetValue<string>()["sha256:".Length..]);
    }

    /// <summary>A runc container configured from an injected container: its args, user, added capabilities and root.</summary>
    private Task<RuncContainer> StartAsync(JsonObject spec, TestNamespace pod)
    {
        var security = spec["securityContext"]!;
        var add = security["capabilities"]?["add"]?.AsArray().Select(c => c!.GetValue<string>()).ToArray() ?? [];
        return RuncContainer.CreateAsync(
            image,
            pod,
            [.. spec["args"]!.AsArray().Select(a => a!.GetValue<string>())],
            (uint)security["runAsUser"]!.GetValue<int>(),
            (uint)security["runAsGroup"]!.GetValue<int>(),
            add,
            security["readOnlyRootFilesystem"]!.GetValue<bool>());
    }

    private static string Hash(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
