using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests;

/// <summary>
/// A pod of a real run named every way the commands take it (the rules themselves: Waylay.Node.Tests' PodLookupTests),
/// and a miss through the CLI: a usage error listing what is there.
/// </summary>
[Collection(MeshCollection.Name)]
public sealed class PodLookupTests(TwoPodMesh mesh)
{
    [NetnsFact]
    public void AppLabel_Deployment_NamePrefix_AndFullName_FindTheSamePod()
    {
        var byApp = mesh.Pod("details");
        Assert.StartsWith("details-v1-", byApp.Name, StringComparison.Ordinal);
        Assert.Equal(byApp.Name, mesh.Pod("details-v1").Name);
        Assert.Equal(byApp.Name, mesh.Pod("deploy/details-v1").Name);
        Assert.Equal(byApp.Name, mesh.Pod("details-v1-").Name);
        Assert.Equal(byApp.Name, mesh.Pod("default/" + byApp.Name).Name);
        Assert.Equal(byApp.Name, mesh.Pod(byApp.Name).Name);
        Assert.Equal("details", byApp.Labels["app"]);
        Assert.Equal("Deployment/details-v1", byApp.Workload);
        Assert.NotNull(byApp.Address);
        Assert.Equal("istio-system", mesh.Pod("istio-ingressgateway").KubeNamespace);
    }

    [NetnsFact]
    public async Task UnknownPod_ListsThePods_UnknownRun_BothUsageErrors()
    {
        var cli = await MeshCollection.CliAsync(mesh, "rules", "nosuchpod");
        WaylayCli.AssertRefused(cli, 2, "rules: pod 'nosuchpod': no pod of run");
        Assert.Contains("ratings-v1-", cli.StandardError, StringComparison.Ordinal);
        Assert.Contains("istio-system/istio-ingressgateway-", cli.StandardError, StringComparison.Ordinal);

        WaylayCli.AssertRefused(await WaylayCli.RunAsync("rules", "details", "--run", "zz" + mesh.RunId[..4]), 2, "no such run");
        WaylayCli.AssertRefused(await MeshCollection.CliAsync(mesh, "rules", "details", "-n", "istio-system"), 2, "no pod of run " + mesh.RunId + " in namespace istio-system");
    }
}
