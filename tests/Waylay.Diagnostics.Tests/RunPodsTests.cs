using Waylay.Node.State;
using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests;

[Collection(MeshCollection.Name)]
public sealed class RunPodsTests(TwoPodMesh mesh)
{
    [NetnsFact]
    public void AppLabel_NamePrefix_AndFullName_FindTheSamePod()
    {
        var byApp = mesh.Pod("details");
        Assert.StartsWith("details-v1-", byApp.Name, StringComparison.Ordinal);
        Assert.Equal(byApp.Name, mesh.Pod("details-v1").Name);
        Assert.Equal(byApp.Name, mesh.Pod(byApp.Name).Name);
        Assert.Equal("details", byApp.Labels["app"]);
        Assert.NotNull(byApp.Address);
    }

    [NetnsFact]
    public async Task UnknownPod_ListsThePods_UnknownRun_BothUsageErrors()
    {
        var cli = await MeshCollection.CliAsync(mesh, "rules", "nosuchpod");
        WaylayCli.AssertRefused(cli, 2, "pod nosuchpod: no pod of run");
        Assert.Contains("ratings-v1-", cli.StandardError, StringComparison.Ordinal);

        WaylayCli.AssertRefused(await WaylayCli.RunAsync("rules", "details", "--run", "zz" + mesh.RunId[..4]), 2, "no such run");
    }

    [Fact]
    public void AmbiguousPrefix_ListsTheCandidates_AndNoRun_SaysHowToStartOne()
    {
        var root = Directory.CreateTempSubdirectory(RunId.Next("lk")).FullName;
        try
        {
            var state = new RunState(Path.Combine(root, "r1"));
            state.Write(Path.Combine(state.Directory, "run.json"), new { id = "r1" });
            foreach (var name in new[] { "reviews-v1-aaa", "reviews-v2-bbb", "ratings-v1-ccc" })
            {
                state.Write(state.PodFile(name), new PodRecord(name, 1, "wl-r1-" + name, "wl-r1-" + name));
            }

            var ambiguous = Assert.Throws<RunPodException>(() => RunPods.Find(state.Directory, "reviews"));
            Assert.Equal("pod reviews: 2 pods of run r1 match; name one of: reviews-v1-aaa, reviews-v2-bbb", ambiguous.Message);
            Assert.Equal("ratings-v1-ccc", RunPods.Find(state.Directory, "ra").Name);
            var none = Assert.Throws<RunPodException>(() => RunPods.RunDirectory(null, "rules", root));
            Assert.Equal("rules: no mesh is running; start one with: waylay up samples/bookinfo", none.Message); // r1 has no up/: not live
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
