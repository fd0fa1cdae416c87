using Waylay.Node.Pods;
using Waylay.Node.Processes;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Pods;

public sealed class PodSandboxTests
{
    // What the container reports, written into its emptyDir, which the test reads on the machine's side.
    private const string Report = """
        set -u
        o=/var/lib/wl-node-test/out
        id -u > $o/uid; id -g > $o/gid
        readlink /proc/self/ns/net > $o/netns
        hostname > $o/hostname
        cat /etc/resolv.conf > $o/resolv.conf
        cat /etc/hosts > $o/hosts
        cat /etc/wl-node-test/app.conf > $o/config
        cat /var/run/secrets/wl-node-test/token > $o/secret
        cat /etc/wl-node-test-podinfo/labels > $o/labels
        stat -L -c %i "/run/netns/$POD_NETNS" > $o/run-netns
        if touch /var/run/secrets/wl-node-test/x 2>/dev/null; then echo writable; else echo read-only; fi > $o/secret-mode
        echo done > $o/done
        exec sleep infinity
        """;

    [NetnsFact]
    public async Task Container_RunsAsItsUidInThePodsNamespaces_WithItsVolumesAndFiles_AndTheMachineIsUnchanged()
    {
        var hostResolv = await File.ReadAllBytesAsync("/etc/resolv.conf");
        var hostHosts = await File.ReadAllBytesAsync("/etc/hosts");
        await using var runtime = TestRuntime.Create();
        var spec = new PodSpec(
            "reviews",
            [new ContainerSpec("app", ["sh", "-c", Report], new Dictionary<string, string> { ["POD_NETNS"] = runtime.Names.PodNamespace("reviews") },
            [
                new VolumeMount("out", "/var/lib/wl-node-test/out"),
                new VolumeMount("config", "/etc/wl-node-test"),
                new VolumeMount("token", "/var/run/secrets/wl-node-test", ReadOnly: true),
                new VolumeMount("podinfo", "/etc/wl-node-test-podinfo"),
            ]) { RunAsUser = 1337, RunAsGroup = 1337 }],
            [
                PodVolume.EmptyDir("out"),
                new PodVolume("config", VolumeKind.ConfigMap) { Files = new Dictionary<string, string> { ["app.conf"] = "color=blue\n" } },
                new PodVolume("token", VolumeKind.Secret) { Files = new Dictionary<string, string> { ["token"] = "s3cret" } },
                new PodVolume("podinfo", VolumeKind.DownwardApi) { Files = new Dictionary<string, string> { ["labels"] = "app=\"reviews\"\n" } },
            ],
            RestartPolicy.Always,
            PodDns.ClusterFirst("10.96.0.10", "default")) { Hostname = "reviews-v1" };

        var pod = await runtime.StartPodAsync(spec, 1, CancellationToken.None);
        var output = runtime.State.VolumeDirectory("reviews", "out");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!File.Exists(Path.Combine(output, "done")))
        {
            Assert.Equal(ContainerState.Running, pod.Container("app").Status.State);
            await Task.Delay(50, timeout.Token);
        }

        string Read(string name) => File.ReadAllText(Path.Combine(output, name)).Trim();
        Assert.Equal("1337", Read("uid"));
        Assert.Equal("1337", Read("gid"));
        var podNetns = (await TestRuntime.RunAsync("stat", "-L", "-c", "%i", pod.NamespacePath)).Trim();
        Assert.Equal($"net:[{podNetns}]", Read("netns"));
        Assert.Equal("reviews-v1", Read("hostname"));
        Assert.Equal("nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5", Read("resolv.conf"));
        Assert.Contains($"{pod.Address}\treviews-v1", Read("hosts"));
        Assert.Equal("color=blue", Read("config"));
        Assert.Equal("s3cret", Read("secret"));
        Assert.Equal("app=\"reviews\"", Read("labels"));
        Assert.Equal("read-only", Read("secret-mode"));
        // /run was covered in the pod (for /var/run/secrets/…): the mounts below it are still there (a namespace
        // file, not the empty file the lower layer has under it).
        Assert.Equal(podNetns, Read("run-netns"));

        // Nothing of the pod reached the machine: its files, its new directories, its mounts.
        Assert.Equal(hostResolv, await File.ReadAllBytesAsync("/etc/resolv.conf"));
        Assert.Equal(hostHosts, await File.ReadAllBytesAsync("/etc/hosts"));
        Assert.False(Directory.Exists("/etc/wl-node-test"));
        Assert.False(Directory.Exists("/run/secrets/wl-node-test"));
        Assert.False(Directory.Exists("/var/lib/wl-node-test"));
        Assert.DoesNotContain(File.ReadAllLines("/proc/self/mountinfo"), l => l.Contains("wl-node-test", StringComparison.Ordinal) || l.Contains(runtime.State.Directory, StringComparison.Ordinal));
    }

    [NetnsFact]
    public async Task EmptyDir_IsSharedByThePodsContainers_AndVisibleOnlyInThePod()
    {
        await using var runtime = TestRuntime.Create();
        var spec = TestRuntime.Pod(
            "shared",
            TestRuntime.Container("writer", "echo from-writer > /var/lib/wl-node-shared/note; exec sleep infinity", uid: 1000) with
            {
                VolumeMounts = [new VolumeMount("scratch", "/var/lib/wl-node-shared")],
            },
            TestRuntime.Container("reader", "while [ ! -s /var/lib/wl-node-shared/note ]; do sleep 0.05; done; cat /var/lib/wl-node-shared/note > /var/lib/wl-node-shared/seen; exec sleep infinity", uid: 2000) with
            {
                VolumeMounts = [new VolumeMount("scratch", "/var/lib/wl-node-shared")],
            }) with { Volumes = [PodVolume.EmptyDir("scratch")] };

        await runtime.StartPodAsync(spec, 1, CancellationToken.None);

        Assert.Equal("from-writer", await TestRuntime.WaitForFileAsync(Path.Combine(runtime.State.VolumeDirectory("shared", "scratch"), "seen")));
        Assert.False(Directory.Exists("/var/lib/wl-node-shared"));
    }

    [NetnsFact]
    public async Task AProgramBelowAVolumesMountPath_StaysVisible_AndTheVolumeIsStillThePods()
    {
        // A checkout under /tmp runs pods whose emptyDir is /tmp (Bookinfo's reviews and productpage): the volume must
        // not hide the program the container runs, and the rest of /tmp must still be the volume.
        var programs = Directory.CreateTempSubdirectory("wl-node-programs-");
        try
        {
            var program = Path.Combine(programs.FullName, "app.sh");
            File.WriteAllText(program, "#!/bin/sh\nls /tmp > /tmp/listing; echo ran > /tmp/ran; exec sleep infinity\n");
            File.SetUnixFileMode(program, (UnixFileMode)0x1ED);
            File.SetUnixFileMode(programs.FullName, (UnixFileMode)0x1ED);
            await using var runtime = TestRuntime.Create();
            var spec = TestRuntime.Pod("programs", new ContainerSpec("app", [program], new Dictionary<string, string>(), [new VolumeMount("tmp", "/tmp")]) { RunAsUser = 1000 })
                with { Volumes = [PodVolume.EmptyDir("tmp")] };

            await runtime.StartPodAsync(spec, 1, CancellationToken.None);

            var volume = runtime.State.VolumeDirectory("programs", "tmp");
            Assert.Equal("ran", await TestRuntime.WaitForFileAsync(Path.Combine(volume, "ran")));
            // The pod's /tmp is the volume: the machine's other /tmp entries are not there, only the program's directory.
            Assert.Equal([Path.GetFileName(programs.FullName)], File.ReadAllLines(Path.Combine(volume, "listing")).Where(l => l is not ("listing" or "ran")));
        }
        finally
        {
            programs.Delete(recursive: true);
        }
    }

    [NetnsFact]
    public async Task AProgramBehindDirectoriesItsUserMayNotEnter_RunsInThePod_AndTheMachinesDirectoriesKeepTheirModes()
    {
        // A checkout in root's 0700 home: the sidecar (1337), the control plane and Bookinfo's apps run as other users.
        var outer = Directory.CreateTempSubdirectory("wl-node-closed-"); // 0700
        try
        {
            var inner = Directory.CreateDirectory(Path.Combine(outer.FullName, "inner"), (UnixFileMode)0b111_000_000);
            var program = Path.Combine(inner.FullName, "app.sh");
            File.WriteAllText(program, "#!/bin/sh\nid -u > /var/lib/wl-node-test/out/uid; echo ran > /var/lib/wl-node-test/out/ran; exec sleep infinity\n");
            File.SetUnixFileMode(program, (UnixFileMode)0b111_101_101);
            await using var runtime = TestRuntime.Create();
            var spec = TestRuntime.Pod("closed", new ContainerSpec("app", [program], new Dictionary<string, string>(), [new VolumeMount("out", "/var/lib/wl-node-test/out")]) { RunAsUser = 1000 })
                with { Volumes = [PodVolume.EmptyDir("out")] };

            await runtime.StartPodAsync(spec, 1, CancellationToken.None);

            var output = runtime.State.VolumeDirectory("closed", "out");
            Assert.Equal("ran", await TestRuntime.WaitForFileAsync(Path.Combine(output, "ran")));
            Assert.Equal("1000", (await File.ReadAllTextAsync(Path.Combine(output, "uid"))).Trim());
            foreach (var directory in new[] { outer.FullName, inner.FullName })
            {
                Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(directory));
            }
        }
        finally
        {
            outer.Delete(recursive: true);
        }
    }

    [NetnsFact]
    public async Task HostPath_WhenAllowed_IsTheMachinesDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("wl-node-hostpath-");
        try
        {
            File.SetUnixFileMode(directory.FullName, (UnixFileMode)0x1FF);
            await using var runtime = TestRuntime.Create(allowHostPath: true);
            var spec = TestRuntime.Pod("hostpath", TestRuntime.Container("app", "echo written > /var/lib/wl-node-host/out; exec sleep infinity", uid: 1337) with
            {
                VolumeMounts = [new VolumeMount("host", "/var/lib/wl-node-host")],
            }) with { Volumes = [new PodVolume("host", VolumeKind.HostPath) { HostPath = directory.FullName }] };

            await runtime.StartPodAsync(spec, 1, CancellationToken.None);

            Assert.Equal("written", await TestRuntime.WaitForFileAsync(Path.Combine(directory.FullName, "out")));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [NetnsFact]
    public async Task HostPath_IsRefusedUnlessAllowed_AndNothingIsMade()
    {
        await using var runtime = TestRuntime.Create();
        var spec = TestRuntime.Pod("host", TestRuntime.Container("app", "sleep infinity") with
        {
            VolumeMounts = [new VolumeMount("etc", "/host-etc")],
        }) with { Volumes = [new PodVolume("etc", VolumeKind.HostPath) { HostPath = "/etc" }] };

        var error = await Assert.ThrowsAsync<PodSpecException>(() => runtime.StartPodAsync(spec, 1, CancellationToken.None));

        Assert.Contains("hostPath", error.Message);
        Assert.False(Directory.Exists(runtime.State.PodDirectory("host")));
        Assert.DoesNotContain(runtime.Names.PodNamespace("host"), await TestRuntime.RunAsync("ip", "netns", "list"));
    }

    [NetnsTheory]
    [InlineData("node1", "is the name of node 1's namespace")]
    [InlineData("Web_1", "lower-case letters, digits")]
    public async Task PodName_ThatCannotNameANamespace_IsRefused(string name, string message)
    {
        await using var runtime = TestRuntime.Create();

        var error = await Assert.ThrowsAsync<PodSpecException>(() => runtime.StartPodAsync(TestRuntime.Pod(name), 1, CancellationToken.None));

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void MountPlan_NamesEveryProblemAtOnce()
    {
        var spec = TestRuntime.Pod("p", TestRuntime.Container("app", "true") with
        {
            VolumeMounts = [new VolumeMount("missing", "/data"), new VolumeMount("a", "relative/path"), new VolumeMount("a", "/etc/hosts")],
        }) with { Volumes = [PodVolume.EmptyDir("a")] };

        var error = Assert.Throws<PodSpecException>(() => PodMountPlan.For(spec, allowHostPath: false));

        Assert.Equal(3, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("declares no volume 'missing'", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("'relative/path' must be an absolute path", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("/etc/hosts is the pod's own file", StringComparison.Ordinal));
    }

    [Fact]
    public void MountPlan_OnePathHoldsOneVolume()
    {
        var spec = TestRuntime.Pod(
            "p",
            TestRuntime.Container("a", "true") with { VolumeMounts = [new VolumeMount("x", "/data/shared")] },
            TestRuntime.Container("b", "true") with { VolumeMounts = [new VolumeMount("y", "/data/shared")] })
            with { Volumes = [PodVolume.EmptyDir("x"), PodVolume.EmptyDir("y")] };

        var error = Assert.Throws<PodSpecException>(() => PodMountPlan.For(spec, allowHostPath: false));

        Assert.Contains("already where volume 'x' is mounted", error.Message);
    }
}
