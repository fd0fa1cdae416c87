using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Waylay.Control.Registry;
using Waylay.Control.Sources;
using Waylay.Control.Sources.Files;
using Waylay.Control.Sources.Registrations;
using Waylay.Discovery;
using Waylay.Discovery.V1;

namespace Waylay.Control.Tests.Registry;

/// <summary>
/// Manifests in, the view every proxy is sent out: <c>testdata/control/&lt;case&gt;/</c> through the file source and the
/// registry into <c>testdata/control/&lt;case&gt;.snapshot</c> (regenerate with <c>WAYLAY_UPDATE_GOLDEN=1</c>), one
/// resource per line as the proxy receives it, and what was not applied, with why.
/// </summary>
public sealed class SnapshotGoldenTests
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);

    [Theory]
    [InlineData("reviews-canary")]
    [InlineData("mesh-and-slices")]
    public void Manifests_GiveTheGoldenSnapshot(string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "testdata", "control", name);
        var source = new ManifestSource([directory], new PodRegistry());
        var registry = new MeshRegistry([source], TimeProvider.System, TimeSpan.FromMilliseconds(100), NullLogger.Instance);
        var text = Render(registry.Current).Replace(directory + "/", "", StringComparison.Ordinal);

        Golden.Check(Path.Combine("testdata", "control", name + ".snapshot"), text);
    }

    [Fact]
    public void RegisteredPodReady_ChangesEndpointsOnly()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "testdata", "control", "reviews-canary");
        var pods = new PodRegistry();
        var source = new ManifestSource([directory], pods);
        var registry = new MeshRegistry([source], TimeProvider.System, TimeSpan.FromMilliseconds(100), NullLogger.Instance);
        var published = new List<string>();
        registry.Published += (_, types) => published.AddRange(types);
        var before = registry.Current;

        var report = new PodEvent { Phase = PodEvent.Types.Phase.Ready, Name = "reviews-v2-ghi", Namespace = "bookinfo" };
        report.Ips.Add("10.244.1.12");
        report.Labels.Add("app", "reviews");
        report.Labels.Add("version", "v2");
        Assert.Null(pods.Report(report));
        source.Flush();
        registry.Rebuild();

        // A pod is a workload and an endpoint: those two types change, and nothing else is sent.
        Assert.Equal([TypeUrls.Endpoints, TypeUrls.Workloads], published);
        var after = registry.Current;
        Assert.Equal(before.Types[TypeUrls.Services].Version, after.Types[TypeUrls.Services].Version);
        Assert.Equal(before.Types[TypeUrls.VirtualServices].Version, after.Types[TypeUrls.VirtualServices].Version);
        Assert.Contains("10.244.1.12", Formatter.Format(after.Types[TypeUrls.Endpoints].Resources.Single(r => r.Name == "reviews.bookinfo")), StringComparison.Ordinal);
    }

    [Fact]
    public void Registration_WithoutAName_IsRefusedNamingTheField()
    {
        Assert.Equal("name is required: the pod's metadata.name", new PodRegistry().Report(new PodEvent { Phase = PodEvent.Types.Phase.Ready }));
        Assert.StartsWith("ips: 'ten' is not an IP address", new PodRegistry().Report(new PodEvent { Phase = PodEvent.Types.Phase.Ready, Name = "a", Ips = { "ten" } }), StringComparison.Ordinal);
    }

    private static string Render(ControlSnapshot snapshot)
    {
        var text = new StringBuilder();
        foreach (var type in TypeUrls.Subscribed)
        {
            var content = snapshot.Types[type];
            text.Append($"## {TypeUrls.Short(type)} (version {content.Version}, {content.Resources.Count} resources)\n");
            foreach (var resource in content.Resources)
            {
                text.Append(Formatter.Format(resource)).Append('\n');
            }
        }

        text.Append("## not applied\n");
        foreach (var ignored in snapshot.Sources.SelectMany(s => s.Status.Ignored))
        {
            text.Append(ignored).Append('\n');
        }

        return text.ToString();
    }
}
