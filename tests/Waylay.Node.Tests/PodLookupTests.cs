using Waylay.Node.State;
using Waylay.Node.Up;
using Xunit;

namespace Waylay.Node.Tests;

/// <summary>RUN and POD as every command takes them, against state directories written the way the supervisor writes them.</summary>
public sealed class PodLookupTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory(TestKit.RunId.Next("lookup")).FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Find_ByName_Deployment_AppLabel_OrUniquePrefix_InTheOneLiveRun()
    {
        WriteRun("old", live: false, "productpage-v1-aaaaa-bbbbb");
        WriteRun("new", live: true, "productpage-v1-6b7f6-x2x4q", "reviews-v1-1-aaaaa", "reviews-v2-2-bbbbb", "details-v1-3-ccccc");

        Assert.Equal(Path.Combine(_root, "new"), PodLookup.RunDirectory(null, _root));
        Assert.Equal("productpage-v1-6b7f6-x2x4q", Find(null, "productpage-v1-6b7f6-x2x4q").Name);
        Assert.Equal("productpage-v1-6b7f6-x2x4q", Find(null, "productpage").Name); // app label
        Assert.Equal("reviews-v2-2-bbbbb", Find(null, "reviews-v2").Name); // Deployment
        Assert.Equal("reviews-v2-2-bbbbb", Find(null, "reviews-v2-2").Name); // prefix
        Assert.Equal("details-v1-3-ccccc", Find(null, "deploy/details-v1").Name);
        Assert.Equal("new", Find(null, "pod/details-v1-3-ccccc").RunId);
        Assert.Equal("productpage-v1-aaaaa-bbbbb", Find("old", "productpage").Name);
        Assert.Equal("productpage-v1-aaaaa-bbbbb", Find("wl-old", "productpage").Name);
    }

    [Fact]
    public void Find_ByAppLabel_WhenTheNameSaysOtherwise()
    {
        WriteRun("r1", live: true, "shell-54fb6-xp7sh");

        Assert.Equal("shell-54fb6-xp7sh", Find(null, "client").Name);
    }

    [Fact]
    public void Find_AmbiguousPrefix_ListsTheCandidates_AUniqueOneIsFound()
    {
        WriteRun("r1", live: true, "reviews-v1-1-aaaaa", "reviews-v2-2-bbbbb", "ratings-v1-3-ccccc");

        var e = Assert.Throws<PodLookupException>(() => Find(null, "reviews"));
        Assert.Equal("pod 'reviews' is ambiguous in run r1: it names reviews-v1-1-aaaaa, reviews-v2-2-bbbbb; give more of the name", e.Message);
        Assert.Equal("pod 'r' is ambiguous in run r1: it names ratings-v1-3-ccccc, reviews-v1-1-aaaaa, reviews-v2-2-bbbbb; give more of the name",
            Assert.Throws<PodLookupException>(() => Find(null, "r")).Message);
        Assert.Equal("ratings-v1-3-ccccc", Find(null, "ra").Name);
    }

    [Fact]
    public void Find_UnknownPod_ListsThePodsThatExist()
    {
        WriteRun("r1", live: true, "details-v1-3-ccccc", "istio-system/istio-ingressgateway-7d4-q2x9z");

        Assert.Equal(
            "pod 'ratings': no pod of run r1 has that name, Deployment, app label or name prefix; its pods: details-v1-3-ccccc, istio-system/istio-ingressgateway-7d4-q2x9z",
            Assert.Throws<PodLookupException>(() => Find(null, "ratings")).Message);
        Assert.Equal(
            "pod 'deploy/ratings-v1': no pod of run r1 belongs to Deployment ratings-v1; its pods: details-v1-3-ccccc, istio-system/istio-ingressgateway-7d4-q2x9z",
            Assert.Throws<PodLookupException>(() => Find(null, "deploy/ratings-v1")).Message);
        Assert.StartsWith("pod 'details': no pod of run r1 in namespace istio-system has that name",
            Assert.Throws<PodLookupException>(() => Find(null, "details", "istio-system")).Message, StringComparison.Ordinal);
        Assert.Equal("pod 'istio-system/': give NAME, NAMESPACE/NAME or deploy/NAME", Assert.Throws<PodLookupException>(() => Find(null, "istio-system/")).Message);
    }

    [Fact]
    public void Find_ADeploymentsPods_TakesOneAsKubectlDoes_ReadyFirst_AndSaysWhich()
    {
        WriteRun("r1", live: true, "details-v1-3-aaaaa", "details-v1-3-bbbbb", "ratings-v1-4-ccccc");
        MarkNotReady("r1", "details-v1-3-aaaaa");

        foreach (var query in new[] { "details-v1", "deploy/details-v1", "deployment/details-v1", "details", "details-v1-3" })
        {
            var pod = Find(null, query);
            Assert.Equal("details-v1-3-bbbbb", pod.Name);
            Assert.Equal("Found 2 pods, using pod/details-v1-3-bbbbb", pod.Note);
        }

        Assert.Null(Find(null, "details-v1-3-aaaaa").Note);
    }

    [Fact]
    public void Find_NamespaceQualified_OrDashN_SeparatesDeploymentsOfTheSameName()
    {
        WriteRun("r1", live: true, "default/echo-1-aaaaa", "other/echo-2-bbbbb", "istio-system/istio-ingressgateway-7d4-q2x9z");

        Assert.Equal("pod 'echo' is ambiguous in run r1: it names echo-1-aaaaa, other/echo-2-bbbbb; give more of the name",
            Assert.Throws<PodLookupException>(() => Find(null, "echo")).Message);
        Assert.Equal("echo-2-bbbbb", Find(null, "other/echo").Name);
        Assert.Equal("echo-2-bbbbb", Find(null, "echo", "other").Name);
        Assert.Equal("echo-1-aaaaa", Find(null, "default/echo").Name);
        Assert.Equal("istio-ingressgateway-7d4-q2x9z", Find(null, "istio-ingressgateway").Name);
        Assert.Equal("pod 'other/echo' is in namespace other but -n says default; give one of them",
            Assert.Throws<PodLookupException>(() => Find(null, "other/echo", "default")).Message);
    }

    [Fact]
    public void RunDirectory_NoLiveRun_TwoLiveRuns_UnknownRun_SayWhatThereIsAndHowToPick()
    {
        Assert.Equal("no mesh is running; start one with: waylay up samples/bookinfo",
            Assert.Throws<PodLookupException>(() => PodLookup.RunDirectory(null, _root)).Message);
        Assert.Equal($"--run r9: no such run (no {_root}/r9/run.json); no run exists; start one with: waylay up samples/bookinfo",
            Assert.Throws<PodLookupException>(() => PodLookup.RunDirectory("r9", _root)).Message);

        WriteRun("r0", live: false, "details-v1-3-ccccc");
        Assert.Equal("no mesh is running; start one with: waylay up samples/bookinfo, or pick one of the runs not made by waylay up with --run r0",
            Assert.Throws<PodLookupException>(() => PodLookup.RunDirectory(null, _root)).Message);

        WriteRun("r1", live: true, "details-v1-3-ccccc");
        WriteRun("r2", live: true, "details-v1-3-ddddd");
        Assert.Equal("2 runs are live (r1, r2); pick one with --run r1", Assert.Throws<PodLookupException>(() => Find(null, "details")).Message);
        Assert.Equal("details-v1-3-ddddd", Find("r2", "details").Name);
        Assert.Equal($"--run r9: no such run (no {_root}/r9/run.json); the runs: r0, r1, r2",
            Assert.Throws<PodLookupException>(() => Find("r9", "details")).Message);
    }

    [Fact]
    public void Find_ARunWithoutPods_SaysSo()
    {
        WriteRun("r1", live: true);

        Assert.Equal("pod 'details': run r1 has no pods (yet); see: waylay ps r1", Assert.Throws<PodLookupException>(() => Find(null, "details")).Message);
    }

    private RunPod Find(string? run, string query, string? kubeNamespace = null) =>
        PodLookup.Find(PodLookup.RunDirectory(run, _root), query, kubeNamespace);

    /// <summary>
    /// A run as <c>waylay up</c> leaves it: run.json, each pod's sandbox record and object, and (when live) up/status.json.
    /// Pods are [NAMESPACE/]NAME, named as a Deployment names them (DEPLOYMENT-HASH-SUFFIX), app label the first word.
    /// </summary>
    private void WriteRun(string run, bool live, params string[] pods)
    {
        var state = new RunState(Path.Combine(_root, run));
        state.Write(Path.Combine(state.Directory, "run.json"), new { runId = run });
        var statuses = new List<PodStatus>();
        foreach (var qualified in pods)
        {
            var (kubeNamespace, name) = qualified.Split('/') is [var ns, var n] ? (ns, n) : ("default", qualified);
            var app = name.StartsWith("shell", StringComparison.Ordinal) ? "client" : name.Split('-')[0];
            var labels = new Dictionary<string, string> { ["app"] = app };
            state.Write(state.PodFile(name), new PodRecord(name, 1, $"wl-{run}-{name}", $"wl-{run}-{name}"));
            state.Write(state.ManifestFile(name), new { apiVersion = "v1", kind = "Pod", metadata = new { name, @namespace = kubeNamespace, labels } });
            statuses.Add(new PodStatus(kubeNamespace, name, "node1", null, "Running", true, "Deployment/" + name[..name.LastIndexOf('-', name.LastIndexOf('-') - 1)]) { Labels = labels });
        }

        if (live)
        {
            state.Write(MeshStatus.File(state.Directory), new MeshStatus(MeshStatus.Ready, null, null, statuses));
        }
    }

    private void MarkNotReady(string run, string pod)
    {
        var directory = Path.Combine(_root, run);
        var status = MeshStatus.TryRead(directory)!;
        new RunState(directory).Write(MeshStatus.File(directory),
            status with { Pods = [.. status.Pods.Select(p => p.Name == pod ? p with { Phase = "Pending", Ready = false } : p)] });
    }
}
