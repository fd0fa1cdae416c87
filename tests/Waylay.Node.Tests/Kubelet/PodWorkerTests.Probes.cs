using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Waylay.Inject.Manifests;
using Waylay.Inject.Values;
using Waylay.Node.Images;
using Waylay.Node.Kubelet;
using Waylay.Node.Manifests;
using Waylay.Node.Processes;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Kubelet;

/// <summary>Liveness, startup and grpc probes as the kubelet runs them, on pods run for real from their manifests.</summary>
public sealed partial class PodWorkerTests
{
    // Bounds, not timings: a probe's timeoutSeconds is generous where a slow exec on a busy machine must not count
    // as a failure the test did not ask for.
    private static readonly TimeSpan ProbeWait = TimeSpan.FromSeconds(90);

    [NetnsFact]
    public async Task LivenessFailure_RestartsTheContainer_AndExecProbesRunInItsNamespacesAsItsUid()
    {
        var files = Directory.CreateTempSubdirectory($"wl-{RunId.Value}-live-");
        files.UnixFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
            | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute; // uid 1000 looks in it
        var failing = Path.Combine(files.FullName, "fail");
        // The probe passes only inside the pod (its hostname, its emptyDir mount) as the container's uid, and
        // while the test has not asked it to fail.
        var kubelet = Convert("lively", $$"""
              containers:
              - name: app
                image: tools
                command: [sleep, infinity]
                securityContext: {runAsUser: 1000}
                volumeMounts: [{name: data, mountPath: /mnt/wl-probe-data}]
                livenessProbe:
                  exec: {command: [sh, -c, 'test "$(id -u)" = 1000 && test "$(hostname)" = lively && test -d /mnt/wl-probe-data && test ! -e {{failing}}']}
                  periodSeconds: 1
                  timeoutSeconds: 10
                  failureThreshold: 2
                  terminationGracePeriodSeconds: 5
              volumes: [{name: data, emptyDir: {} }]
            """);
        var runtime = TestRuntime.Create(backoff: new RestartBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)));
        try
        {
            await using var worker = await PodWorker.StartAsync(runtime, kubelet, 0, TimeProvider.System, null, CancellationToken.None);
            var app = worker.Sandbox.Container("app");
            var liveness = worker.Prober("app")!.Liveness!;
            using var timeout = new CancellationTokenSource(ProbeWait);
            Assert.False(Directory.Exists("/mnt/wl-probe-data")); // the mount is the pod's alone

            await UntilAsync(() => Task.FromResult(liveness.Attempts >= 3), "three liveness probes", timeout.Token);
            Assert.Equal(0, app.Status.RestartCount); // they passed: run in the container's place, as uid 1000
            var first = app.Status.Process!.Value;

            await File.WriteAllTextAsync(failing, "");
            var restarted = await app.WaitForAsync(s => s.State == ContainerState.Running && s.RestartCount >= 1, timeout.Token);
            Assert.False(first.IsAlive);
            Assert.NotEqual(0, restarted.LastExitCode); // killed, not exited
            Assert.True(worker.Ready); // no readiness probe: ready while running
        }
        finally
        {
            await runtime.TeardownAsync(CancellationToken.None);
            files.Delete(recursive: true);
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, runtime.State.Directory));
    }

    [NetnsFact]
    public async Task StartupProbe_HoldsReadinessAndLiveness_UntilItPasses()
    {
        var files = Directory.CreateTempSubdirectory($"wl-{RunId.Value}-startup-");
        string At(string name) => Path.Combine(files.FullName, name);
        var kubelet = Convert("slow", $$"""
              containers:
              - name: app
                image: tools
                command: [sleep, infinity]
                startupProbe:
                  exec: {command: [sh, -c, 'echo s >> {{At("startup")}}; test -e {{At("started")}}']}
                  periodSeconds: 1
                  failureThreshold: 600
                readinessProbe:
                  exec: {command: [sh, -c, 'echo r >> {{At("readiness")}}']}
                  periodSeconds: 1
                livenessProbe:
                  exec: {command: [sh, -c, 'echo l >> {{At("liveness")}}']}
                  periodSeconds: 1
                  timeoutSeconds: 10
            """);
        var runtime = TestRuntime.Create();
        try
        {
            await using var worker = await PodWorker.StartAsync(runtime, kubelet, 0, TimeProvider.System, null, CancellationToken.None);
            using var timeout = new CancellationTokenSource(ProbeWait);

            await UntilAsync(() => Task.FromResult(Lines(At("startup")) >= 3), "three startup probes", timeout.Token);
            Assert.False(worker.Ready);
            Assert.Equal(0, Lines(At("readiness")));
            Assert.Equal(0, Lines(At("liveness")));

            await File.WriteAllTextAsync(At("started"), "");
            await worker.WaitUntilReadyAsync(timeout.Token);
            Assert.True(Lines(At("readiness")) >= 1);
            await UntilAsync(() => Task.FromResult(Lines(At("liveness")) >= 1), "a liveness probe once started", timeout.Token);
            Assert.Equal(0, worker.Sandbox.Container("app").Status.RestartCount);
        }
        finally
        {
            await runtime.TeardownAsync(CancellationToken.None);
            files.Delete(recursive: true);
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, runtime.State.Directory));
    }

    [NetnsFact]
    public async Task GrpcReadinessProbe_FollowsTheStandardHealthService()
    {
        const int Port = 50051;
        var kubelet = Convert("rpc", $$"""
              containers:
              - name: app
                image: tools
                command: [sleep, infinity]
                ports: [{containerPort: {{Port}}}]
                readinessProbe:
                  grpc: {port: {{Port}}, service: orders}
                  periodSeconds: 1
                  timeoutSeconds: 5
                  failureThreshold: 1
            """);
        var runtime = TestRuntime.Create();
        try
        {
            await using var worker = await PodWorker.StartAsync(runtime, kubelet, 0, TimeProvider.System, null, CancellationToken.None);
            var readiness = worker.Prober("app")!.Readiness!;
            using var timeout = new CancellationTokenSource(ProbeWait);

            // The app's gRPC server, in the pod's namespace on the pod IP, not serving yet.
            var health = new HealthServiceImpl();
            health.SetStatus("orders", HealthCheckResponse.Types.ServingStatus.NotServing);
            await using var app = await GrpcHealthAppAsync(worker.Sandbox.NamespacePath, new IPEndPoint(worker.Sandbox.Address, Port), health);
            var before = readiness.Attempts;
            await UntilAsync(() => Task.FromResult(readiness.Attempts >= before + 2), "two grpc probes of the server", timeout.Token);
            Assert.False(worker.Ready);

            health.SetStatus("orders", HealthCheckResponse.Types.ServingStatus.Serving);
            await worker.WaitUntilReadyAsync(timeout.Token);
            Assert.True(worker.Ready);

            health.SetStatus("orders", HealthCheckResponse.Types.ServingStatus.NotServing);
            await UntilAsync(() => Task.FromResult(!worker.Ready), "the pod to leave readiness", timeout.Token);
        }
        finally
        {
            await runtime.TeardownAsync(CancellationToken.None);
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, runtime.State.Directory));
    }

    /// <summary>A bare Pod of the given containers (no sidecar), its image "tools" run as the command it names.</summary>
    private static KubeletPod Convert(string name, string spec)
    {
        var set = ManifestSet.Read([new ManifestInput($"{name}.yaml", $$"""
            apiVersion: v1
            kind: Pod
            metadata: {name: {{name}}, annotations: {sidecar.istio.io/inject: "false"} }
            spec:
            {{spec}}
            """)], InjectionValues.Default);
        var images = new ImageTable(AppContext.BaseDirectory, ImageTableReader.Read("tools: {command: [/bin/sh]}", "images.yaml"));
        return PodConverter.Convert(set.Pods.Single(), set, images, "node0", "10.96.0.10");
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> when the time is up.</summary>
    private static async Task UntilAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken)
    {
        while (!await condition())
        {
            try
            {
                await Task.Delay(50, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"gave up waiting for {what}");
            }
        }
    }

    private static int Lines(string file) => File.Exists(file) ? File.ReadAllLines(file).Length : 0;

    /// <summary>Kestrel with gRPC's standard health service, on a socket made in <paramref name="netnsPath"/>.</summary>
    private static async Task<WebApplication> GrpcHealthAppAsync(string netnsPath, IPEndPoint endPoint, HealthServiceImpl health)
    {
        var socket = NodeSocket.Create(netnsPath, endPoint.AddressFamily);
        socket.Bind(endPoint);
        socket.Listen();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenHandle((ulong)socket.Handle, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(health);
        var app = builder.Build();
        app.MapGrpcService<HealthServiceImpl>();
        await app.StartAsync();
        return app;
    }
}
