using Waylay.Node.State;
using Waylay.Node.Up;
using Xunit;

namespace Waylay.Node.Tests;

/// <summary>POD as the commands take it, against state directories written the way the supervisor writes them.</summary>
public sealed class PodLookupTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wl-lookup").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Find_ByNameUniquePrefixOrAppLabel_InTheNewestRun()
    {
        WriteRun("old", "productpage-v1-aaaaa-bbbbb");
        WriteRun("new", "productpage-v1-6b7f6-x2x4q", "reviews-v1-1-aaaaa", "reviews-v2-2-bbbbb", "details-v1-3-ccccc");

        Assert.Equal("productpage-v1-6b7f6-x2x4q", PodLookup.Find(_root, null, "productpage").Pod.Name);
        Assert.Equal("new", PodLookup.Find(_root, null, "productpage-v1-6b7f6-x2x4q").Run);
        Assert.Equal("reviews-v2-2-bbbbb", PodLookup.Find(_root, null, "reviews-v2").Pod.Name);
        Assert.Equal("details-v1-3-ccccc", PodLookup.Find(_root, null, "details").Pod.Name);
        Assert.Equal("productpage-v1-aaaaa-bbbbb", PodLookup.Find(_root, "old", "productpage").Pod.Name);
    }

    [Fact]
    public void Find_ByAppLabel_WhenTheNameSaysOtherwise()
    {
        WriteRun("r1", "shell-54fb6-xp7sh");

        Assert.Equal("shell-54fb6-xp7sh", PodLookup.Find(_root, null, "client").Pod.Name);
    }

    [Fact]
    public void Find_Ambiguous_ListsTheCandidates()
    {
        WriteRun("r1", "reviews-v1-1-aaaaa", "reviews-v2-2-bbbbb", "ratings-v1-3-ccccc");

        var e = Assert.Throws<PodLookupException>(() => PodLookup.Find(_root, null, "reviews"));
        Assert.Equal("pod 'reviews' is ambiguous in run r1: it names reviews-v1-1-aaaaa, reviews-v2-2-bbbbb; give more of the name", e.Message);
    }

    [Fact]
    public void Find_NoMesh_NoRun_NoPod_SayWhatThereIs()
    {
        Assert.StartsWith("no mesh is running", Assert.Throws<PodLookupException>(() => PodLookup.Find(_root, null, "x")).Message);
        WriteRun("r1", "details-v1-3-ccccc");
        Assert.StartsWith("--run r9: no such run", Assert.Throws<PodLookupException>(() => PodLookup.Find(_root, "r9", "x")).Message);
        Assert.Equal(
            "pod 'ratings': no pod of run r1 has that name, a name starting with it or app=ratings; its pods: details-v1-3-ccccc",
            Assert.Throws<PodLookupException>(() => PodLookup.Find(_root, null, "ratings")).Message);
    }

    private void WriteRun(string run, params string[] pods)
    {
        var directory = Path.Combine(_root, run);
        var state = new RunState(directory);
        state.Write(Path.Combine(directory, "run.json"), new { runId = run });
        // Written in order: the later run's run.json is the newer one.
        File.SetLastWriteTimeUtc(Path.Combine(directory, "run.json"), DateTime.UtcNow.AddMinutes(Directory.GetDirectories(_root).Length));
        var statuses = pods.Select(p => new PodStatus("default", p, "node1", null, "Ready", true, "Deployment/x")
        {
            Labels = new Dictionary<string, string> { ["app"] = p.StartsWith("shell", StringComparison.Ordinal) ? "client" : p.Split('-')[0] },
        }).ToList();
        state.Write(MeshStatus.File(directory), new MeshStatus(MeshStatus.Ready, null, null, statuses));
    }
}
