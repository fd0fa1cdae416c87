using System.Net.Http;
using Waylay.Node.Up;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Up;

public sealed class MeshRunTests
{
    // Two replicas behind a Service whose targetPort names the container port (resolved per pod, as EndpointSlices
    // carry it); not injected, to keep the test light: the injected path is PodWorkerTests' and the end-to-end test's.
    internal const string Details = """
        apiVersion: v1
        kind: Service
        metadata: {name: details, labels: {app: details}}
        spec:
          selector: {app: details}
          ports: [{name: http, port: 80, targetPort: web}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: details-v1}
        spec:
          replicas: 2
          selector: {matchLabels: {app: details}}
          template:
            metadata:
              labels: {app: details, version: v1}
              annotations: {sidecar.istio.io/inject: "false"}
            spec:
              containers:
              - name: details
                image: docker.io/istio/examples-bookinfo-details-v1:1.20.3
                ports: [{name: web, containerPort: 9080}]
                readinessProbe: {tcpSocket: {port: web}, periodSeconds: 1}
        """;

    [NetnsFact]
    public async Task Run_ReadyPodsBecomeEndpoints_TheForwarderReachesTheService_AndDisposeLeavesNothing()
    {
        var directory = Directory.CreateTempSubdirectory(RunId.Next("up")).FullName;
        using var removeDirectory = new DirectoryRemoval(directory);
        var file = Path.Combine(directory, "details.yaml");
        await File.WriteAllTextAsync(file, Details);
        var options = new UpOptions { Paths = [file], RunId = TestRuntime.NextRunId(), Nodes = 2 };
        var plan = MeshPlan.Create(options);
        var progress = new StringWriter();
        var run = MeshRun.Create(plan, options, progress);
        try
        {
            Assert.Equal(Environment.ProcessId, MeshStatus.Supervisor(options.StateDirectory)!.Value.Pid);
            using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            {
                await run.StartAsync(timeout.Token);
            }

            var status = MeshStatus.TryRead(options.StateDirectory)!;
            Assert.Equal(MeshStatus.Ready, status.Phase);
            Assert.Equal(2, status.Pods.Count);
            Assert.All(status.Pods, p => Assert.True(p.Ready));
            Assert.Equal(["node1", "node2"], status.Pods.Select(p => p.Node));

            var details = run.Runtime.Services.Current.Single(s => s.Name == "details");
            Assert.Equal(status.Pods.Select(p => p.Ip).Order(), details.Endpoints.Select(e => e.Address.ToString()).Order());
            Assert.All(details.Endpoints, e => Assert.Equal(9080, e.Ports["http"]));

            Assert.StartsWith("http://127.0.0.1:", run.Url, StringComparison.Ordinal);
            var body = await GetUntilOkAsync(new Uri(new Uri(run.Url!), "/details/0"));
            Assert.Contains("\"id\":0", body, StringComparison.Ordinal);
            Assert.Contains("service default/details:", progress.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await run.DisposeAsync();
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(options.RunId, options.StateDirectory));
    }

    [NetnsFact]
    public async Task Run_AppWithoutReadinessProbe_ReturnsOnlyOnceItsDeclaredPortListens_SoTheFirstRequestIsAnswered()
    {
        // Istio's Bookinfo gives its apps no readiness probe: the pod is ready as soon as its containers run, while the
        // (JIT) app needs a moment more to listen. waylay up returns only once the declared port listens.
        var directory = Directory.CreateTempSubdirectory(RunId.Next("up")).FullName;
        using var removeDirectory = new DirectoryRemoval(directory);
        var file = Path.Combine(directory, "details.yaml");
        await File.WriteAllTextAsync(file, Details.Replace("replicas: 2", "replicas: 1", StringComparison.Ordinal)
            .Replace("\n        readinessProbe: {tcpSocket: {port: web}, periodSeconds: 1}", "", StringComparison.Ordinal));
        Assert.DoesNotContain("readinessProbe", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        var options = new UpOptions { Paths = [file], RunId = TestRuntime.NextRunId() };
        var progress = new StringWriter();
        var run = MeshRun.Create(MeshPlan.Create(options), options, progress);
        try
        {
            using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
            {
                await run.StartAsync(timeout.Token);
            }

            Assert.True(Assert.Single(MeshStatus.TryRead(options.StateDirectory)!.Pods).Ready);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            using var response = await http.GetAsync(new Uri(new Uri(run.Url!), "/details/0"));
            Assert.True(response.IsSuccessStatusCode, $"first request after up returned: {(int)response.StatusCode}; progress:\n{progress}");
            Assert.DoesNotContain("still not listening", progress.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await run.DisposeAsync();
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(options.RunId, options.StateDirectory));
    }

    [Fact]
    public void ListeningPorts_ReadsTheListenRowsOfProcNetTcp()
    {
        string[] table =
        [
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            "   0: 00000000:2378 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0",
            "   1: 0100007F:3A98 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1337        0 2 1 0 100 0 0 10 0",
            "   2: 0A000005:2378 0A000004:C350 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1",
        ];
        var ports = new HashSet<int>();
        ListeningPorts.Parse(table, ports);
        Assert.Equal([9080, 15000], ports.Order());

        ListeningPorts.Parse(["header", "   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 0 0 0 0 0"], ports);
        Assert.Contains(8080, ports);
        Assert.Empty(ListeningPorts.Of(int.MaxValue)); // no such process: nothing seen, no exception
    }

    private static async Task<string> GetUntilOkAsync(Uri uri)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string last = "";
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                using var response = await http.GetAsync(uri, deadline.Token);
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(deadline.Token)}";
                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadAsStringAsync(deadline.Token);
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!deadline.IsCancellationRequested)
            {
                last = "timed out";
            }

            await Task.Delay(200, CancellationToken.None);
        }

        Assert.Fail($"{uri} never answered 200; last: {last}");
        return "";
    }

    /// <summary>Removes the test's manifest directory with the test.</summary>
    private sealed class DirectoryRemoval(string path) : IDisposable
    {
        public void Dispose() => Directory.Delete(path, recursive: true);
    }
}
