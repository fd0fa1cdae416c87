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
