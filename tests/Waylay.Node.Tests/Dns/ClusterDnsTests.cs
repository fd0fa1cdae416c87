using System.Net;
using Waylay.Linux;
using Waylay.Mesh;
using Waylay.Node.Dns;
using Waylay.Node.Pods;
using Waylay.Node.Tests.Services;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Dns;

/// <summary>
/// dnsmasq behind the kube-dns ClusterIP, asked the way an application asks: glibc's resolver (getent, bash's
/// /dev/tcp) inside the pod's mount and network namespaces, with the pod's resolv.conf (search list, ndots:5).
/// </summary>
public sealed class ClusterDnsTests
{
    private static readonly Dictionary<string, string> NoLabels = [];

    [NetnsFact]
    public async Task ServiceNames_ResolveAsInKubernetes_NewOnesAppear_RemovedOnesGo_AndTcpByNameReachesThePod()
    {
        await using var runtime = TestRuntime.Create();
        var dns = await ClusterDns.StartAsync(runtime, CancellationToken.None);
        Assert.Equal(IPAddress.Parse(PodDns.ClusterDnsAddress), dns.Service.Addresses[0]);
        var client = await runtime.StartPodAsync(TestRuntime.Pod("client"), 1, CancellationToken.None);
        var web = await runtime.StartPodAsync(TestRuntime.Pod("details-v1"), 1, CancellationToken.None);
        using var server = PodServer.Start("details-v1", web.NamespacePath, 9080);
        var details = await runtime.Services.ApplyAsync(
            new Service("details", "default", [], [new ServicePort("http", 9080, 9080)], [new Endpoint(web.Address, new Dictionary<string, ushort>(), NoLabels)]),
            CancellationToken.None);
        var clusterIp = details.Addresses[0].ToString();

        Assert.Contains("nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n",
            (await InPod(client, "cat", "/etc/resolv.conf")).StandardOutput);
        foreach (var name in new[] { "details", "details.default", "details.default.svc.cluster.local" })
        {
            var answer = await InPod(client, "getent", "ahostsv4", name);
            Assert.True(answer.Succeeded, $"{name}: {answer.Diagnostic}");
            Assert.StartsWith(clusterIp + " ", answer.StandardOutput);
        }

        // The pod's own hostname is in its /etc/hosts; nothing outside cluster.local is answered (no upstream).
        Assert.StartsWith(client.Address + " ", (await InPod(client, "getent", "ahostsv4", "client")).StandardOutput);
        Assert.False((await InPod(client, "getent", "ahostsv4", "nosuch.default.svc.cluster.local")).Succeeded);

        // TCP by name: bash's /dev/tcp resolves with glibc, then the node DNATs the ClusterIP to the pod.
        var reply = await InPod(client, "bash", "-c", "exec 3<>/dev/tcp/details/9080 && cat <&3");
        Assert.True(reply.Succeeded, reply.Diagnostic);
        Assert.Equal("details-v1", reply.StandardOutput);

        var reviews = await runtime.Services.ApplyAsync(new Service("reviews", "default", [], [new ServicePort("http", 9080, 9080)], []), CancellationToken.None);
        Assert.StartsWith(reviews.Addresses[0] + " ", await WaitForAsync(client, "reviews", resolves: true));

        await runtime.Services.RemoveAsync("default", "reviews", CancellationToken.None);
        await WaitForAsync(client, "reviews", resolves: false);
        Assert.True((await InPod(client, "getent", "ahostsv4", "details")).Succeeded, "the other services stay");
    }

    [NetnsFact]
    public async Task Teardown_StopsDnsmasqAndLeavesNothing()
    {
        var runtime = TestRuntime.Create();
        var dns = await ClusterDns.StartAsync(runtime, CancellationToken.None);
        var dnsmasq = dns.Pod.Container("dnsmasq");
        var pid = (await dnsmasq.WaitForAsync(s => s.Process is not null, CancellationToken.None)).Process!.Value;
        Assert.Contains("dnsmasq", File.ReadAllText($"/proc/{pid.Pid}/comm"));
        Assert.True(File.Exists(runtime.State.ContainerFile(ClusterDns.PodName, "dnsmasq")), "dnsmasq is recorded like a container");
        Assert.True(File.Exists(Path.Combine(runtime.State.Directory, "dns", "dnsmasq.pid")), "its pid file is the run's, not the machine's /run/dnsmasq.pid");

        await runtime.TeardownAsync(CancellationToken.None);

        Assert.False(pid.IsAlive);
        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, runtime.State.Directory));
    }

    private static async Task<string> WaitForAsync(PodSandbox pod, string name, bool resolves)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var answer = await InPod(pod, "getent", "ahostsv4", name);
            if (answer.Succeeded == resolves)
            {
                return answer.StandardOutput;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    private static Task<ExecResult> InPod(PodSandbox pod, params string[] command) =>
        Exec.RunAsync("nsenter", ["--target", pod.Pause.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--net", "--mount", "--", .. command]);
}
