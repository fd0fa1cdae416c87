using Waylay.Node.Processes;
using Waylay.Node.Up;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Processes.Oci;

/// <summary><c>waylay up samples/bookinfo --runtime oci</c>: the sample's six pods from Bookinfo's images and the waylay image.</summary>
[Collection(Waylay.Node.Tests.Images.Build.ImageBuilds.Name)]
public sealed class BookinfoFromImagesTests(BookinfoImages images) : IClassFixture<BookinfoImages>
{
    [RuncFact]
    public async Task Bookinfo_FromImages_AllReady_ThePageServesReviews_AndNothingIsLeft()
    {
        var sample = Path.Combine(Images.Build.BuiltImage.Root, "samples/bookinfo");
        var options = new UpOptions { Paths = [sample], RunId = TestRuntime.NextRunId(), Runtime = ContainerRuntimeKind.Oci, ImageStore = images.Store };
        var plan = MeshPlan.Create(options);
        var bookinfo = plan.Pods.Where(p => p.Namespace == "default").ToList();
        Assert.Equal(6, bookinfo.Count);
        Assert.All(bookinfo, p => Assert.Equal(ContainerRuntimeKind.Oci, p.Pod.Runtime));

        var run = MeshRun.Create(plan, options, new StringWriter());
        try
        {
            using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
            {
                await run.StartAsync(timeout.Token);
            }

            Assert.All(MeshStatus.TryRead(options.StateDirectory)!.Pods, p => Assert.True(p.Ready, p.Name));
            var runc = await Waylay.Linux.Exec.RunAsync("runc", ["--root", Waylay.Node.Processes.Oci.OciContainerRuntime.RuncRootOf(run.Runtime.State), "list", "-q"], null);
            Assert.Equal(12, runc.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // app + proxy per Bookinfo pod

            // The ingress gateway takes the ready endpoints from the mesh.yaml the node rewrites: until it has read
            // them it answers 503, as Istio's gateway does before its first push.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            var last = "";
            while (!last.Contains("reviews-v", StringComparison.Ordinal) && !deadline.IsCancellationRequested)
            {
                using var response = await http.GetAsync(run.Url, CancellationToken.None);
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(CancellationToken.None)}";
                await Task.Delay(200, CancellationToken.None);
            }

            Assert.Contains("reviews-v", last, StringComparison.Ordinal); // productpage reached reviews, through the sidecars
        }
        finally
        {
            await run.DisposeAsync();
        }

        Assert.Empty(await TestRuntime.LeftoversAsync(options.RunId, options.StateDirectory));
    }
}
