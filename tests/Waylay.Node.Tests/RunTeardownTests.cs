using Waylay.Node.Pods;
using Waylay.Node.Processes;
using Waylay.TestKit;

namespace Waylay.Node.Tests;

public sealed class RunTeardownTests
{
    [NetnsFact]
    public async Task Teardown_LeavesNoNamespaceLinkMountProcessOrFile()
    {
        var runtime = TestRuntime.Create();
        var identities = new List<ProcessIdentity>();
        try
        {
            foreach (var name in (string[])["a", "b"])
            {
                var pod = await runtime.StartPodAsync(WithVolume(name), 1, CancellationToken.None);
                identities.Add(pod.Pause);
                identities.Add((await pod.Container("app").WaitForAsync(s => s.Process is not null, CancellationToken.None)).Process!.Value);
            }

            Assert.NotEmpty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, runtime.State.Directory));
        }
        finally
        {
            await runtime.TeardownAsync(CancellationToken.None);
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, runtime.State.Directory));
        Assert.DoesNotContain(identities, p => p.IsAlive);
    }

    [NetnsFact]
    public async Task Teardown_FromTheStateDirectoryAlone_AfterACrash()
    {
        // The "crashed" runtime is never disposed: only its state directory is used. restartPolicy Never, so nothing
        // of it restarts what teardown stops; the container's own child must go too.
        var runtime = TestRuntime.Create();
        var stateDirectory = runtime.State.Directory;
        var identities = new List<ProcessIdentity>();
        try
        {
            var pod = await runtime.StartPodAsync(WithVolume("crashed") with { RestartPolicy = RestartPolicy.Never }, 2, CancellationToken.None);
            identities.Add(pod.Pause);
            identities.Add((await pod.Container("app").WaitForAsync(s => s.Process is not null, CancellationToken.None)).Process!.Value);
            identities.Add(await ChildOfAsync(runtime, "crashed"));
            var lease = Path.Combine(runtime.State.IpamDirectory, runtime.Names.Network(2), pod.Address.ToString());
            Assert.True(File.Exists(lease));
        }
        finally
        {
            await NodeRuntime.TeardownAsync(stateDirectory, null, CancellationToken.None);
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, stateDirectory));
        Assert.DoesNotContain(identities, p => p.IsAlive);
    }

    [NetnsFact]
    public async Task Teardown_OfAHalfMadeRun_RemovesWhatWasRecorded()
    {
        var runtime = TestRuntime.Create();
        await runtime.AddNodeAsync(1, CancellationToken.None);
        // A pod recorded but never made (the crash came right after the record was written).
        runtime.State.Write(runtime.State.PodFile("ghost"), new State.PodRecord("ghost", 1, runtime.Names.PodNamespace("ghost"), runtime.Names.ContainerId("ghost")));

        await NodeRuntime.TeardownAsync(runtime.State.Directory, null, CancellationToken.None);

        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, runtime.State.Directory));
    }

    [NetnsFact]
    public async Task ANamespaceTheRunDidNotMake_IsRefusedAndSurvivesTeardown()
    {
        var runtime = TestRuntime.Create();
        var foreign = runtime.Names.PodNamespace("taken");
        await Waylay.Node.Namespaces.NetworkNamespaces.AddAsync(foreign, CancellationToken.None);
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.StartPodAsync(TestRuntime.Pod("taken"), 1, CancellationToken.None));
            Assert.Contains("already exists", error.Message);

            await runtime.TeardownAsync(CancellationToken.None);

            Assert.True(Waylay.Node.Namespaces.NetworkNamespaces.Exists(foreign));
        }
        finally
        {
            await Waylay.Node.Namespaces.NetworkNamespaces.DeleteAsync(foreign, CancellationToken.None);
            await runtime.TeardownAsync(CancellationToken.None);
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(runtime.Options.RunId, runtime.State.Directory));
    }

    /// <summary>The container's own child (not recorded anywhere): teardown finds it in the pod's namespace.</summary>
    private static async Task<ProcessIdentity> ChildOfAsync(NodeRuntime runtime, string pod)
    {
        var file = Path.Combine(runtime.State.VolumeDirectory(pod, "data"), "child");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!File.Exists(file) || File.ReadAllText(file).Trim().Length == 0)
        {
            await Task.Delay(20, timeout.Token);
        }

        return ProcessIdentity.Of(int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture))!.Value;
    }

    private static PodSpec WithVolume(string name) =>
        TestRuntime.Pod(name, TestRuntime.Container("app", "sleep 600 & echo $! > /var/lib/wl-node-teardown/child; exec sleep 600", uid: 1337) with
        {
            VolumeMounts = [new VolumeMount("data", "/var/lib/wl-node-teardown")],
        }) with { Volumes = [PodVolume.EmptyDir("data")] };
}
