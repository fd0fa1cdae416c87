using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Waylay.Node.Processes;
using Waylay.Node.Processes.Oci;
using Waylay.Node.Up;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Processes.Oci;

/// <summary>
/// <c>waylay up samples/bookinfo --runtime oci</c>: the sample's six pods from Bookinfo's images, and the pods
/// <c>waylay up</c> adds itself (the control plane, the ingress gateway) from the waylay image, with the install
/// manifests' securityContext; the page through the containerised gateway, routed by the rule the containerised
/// control plane streams to the sidecars.
/// </summary>
[Collection(Waylay.Node.Tests.Images.Build.ImageBuilds.Name)]
public sealed partial class BookinfoFromImagesTests(BookinfoImages images) : IClassFixture<BookinfoImages>
{
    [RuncFact]
    public async Task Bookinfo_FromImages_ControlPlaneAndGatewayToo_AllReady_RoutedByTheRule_AndNothingIsLeft()
    {
        var sample = Path.Combine(Images.Build.BuiltImage.Root, "samples/bookinfo");
        // All of reviews to v1: only the control plane tells the sidecars so.
        var allV1 = Path.Combine(sample, "networking/virtual-service-all-v1.yaml");
        var options = new UpOptions { Paths = [sample, allV1], RunId = TestRuntime.NextRunId(), Runtime = ContainerRuntimeKind.Oci, ImageStore = images.Store };
        var plan = MeshPlan.Create(options);
        Assert.Equal(8, plan.Pods.Count); // six Bookinfo pods, the control plane, the ingress gateway
        Assert.All(plan.Pods, p => Assert.Equal(ContainerRuntimeKind.Oci, p.Pod.Runtime));

        var run = MeshRun.Create(plan, options, new StringWriter());
        try
        {
            using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
            {
                await run.StartAsync(timeout.Token);
            }

            var pods = MeshStatus.TryRead(options.StateDirectory)!.Pods;
            Assert.All(pods, p => Assert.True(p.Ready, p.Name));
            var root = OciContainerRuntime.RuncRootOf(run.Runtime.State);
            var runc = await Waylay.Linux.Exec.RunAsync("runc", ["--root", root, "list", "-q"], null);
            Assert.Equal(14, runc.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // app + proxy per Bookinfo pod, control, gateway

            // As the install manifests run them: the control plane as 65532, the gateway as 1337; no capability,
            // no privilege escalation, a read-only root.
            var control = pods.Single(p => p.Namespace == ControlPlane.Namespace).Name;
            var gateway = pods.Single(p => p.Namespace == IngressGateway.Namespace).Name;
            foreach (var (pod, container, uid) in new[] { (control, "control", 65532), (gateway, "istio-proxy", 1337) })
            {
                var pid = await ContainerPidAsync(root, run.Runtime.Oci.ContainerId(pod, container));
                var status = File.ReadAllText($"/proc/{pid}/status");
                Assert.Matches($@"\nUid:\s+{uid}\s+{uid}\s", status);
                Assert.Matches(@"\nCapEff:\s+0+\n", status);
                Assert.Matches(@"\nCapBnd:\s+0+\n", status);
                Assert.Matches(@"\nNoNewPrivs:\s+1\n", status);
                var rootMount = File.ReadLines($"/proc/{pid}/mountinfo").Select(l => l.Split(' ')).Single(f => f[4] == "/");
                Assert.StartsWith("ro", rootMount[5], StringComparison.Ordinal);
            }

            // A reviews-v1 page (no stars), then six more in a row: the rule in force, not a lucky pick of the balancer.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var last = "";
            var inARow = 0;
            while (inARow < 7 && !deadline.IsCancellationRequested)
            {
                using var response = await http.GetAsync(run.Url, CancellationToken.None);
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}";
                var v1 = ReviewsPattern().Match(last).Groups[1].Value == "v1" && !last.Contains("glyphicon-star", StringComparison.Ordinal);
                Assert.False(inARow > 0 && !v1, $"the rule held, then not: {last}");
                inARow = v1 ? inARow + 1 : 0;
                if (!v1)
                {
                    await Task.Delay(200, CancellationToken.None);
                }
            }

            Assert.True(inARow == 7, $"never routed to reviews-v1 only: {last}");

            // Their logs are the containers' stdout and stderr, as for any container: the gateway's access log.
            Assert.Contains("GET /productpage", File.ReadAllText(run.Runtime.State.LogFile(gateway, "istio-proxy")), StringComparison.Ordinal);
            Assert.NotEqual(0, new FileInfo(run.Runtime.State.LogFile(control, "control")).Length);
        }
        finally
        {
            await run.DisposeAsync();
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(options.RunId, options.StateDirectory));
    }

    private static async Task<int> ContainerPidAsync(string root, string id)
    {
        var state = await Waylay.Linux.Exec.RunAsync("runc", ["--root", root, "state", id], null);
        Assert.True(state.Succeeded, $"runc state {id}: {state.Diagnostic}");
        return JsonNode.Parse(state.StandardOutput)!["pid"]!.GetValue<int>();
    }

    [GeneratedRegex(@"<u>reviews-(v\d)-")]
    private static partial Regex ReviewsPattern();
}
