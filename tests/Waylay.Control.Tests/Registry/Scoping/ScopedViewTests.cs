using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Waylay.Control.Registry;
using Waylay.Control.Sources.Files;
using Waylay.Control.Sources.Registrations;
using Waylay.Discovery;
using Waylay.Discovery.V1;

namespace Waylay.Control.Tests.Registry.Scoping;

/// <summary>
/// Per-proxy views (exportTo, Sidecar, DestinationRule precedence): <c>testdata/control/&lt;case&gt;/</c> through the
/// file source and the registry, each proxy of the case's table rendered as the names it is sent, into
/// <c>testdata/control/&lt;case&gt;.views</c> (regenerate with <c>WAYLAY_UPDATE_GOLDEN=1</c>).
/// </summary>
public sealed class ScopedViewTests
{
    private static readonly (string Namespace, string Pod, string Labels)[] Proxies =
    [
        ("shop", "web-1", "app=web"),
        ("shop", "cart-1", "app=cart"),
        ("pay", "payments-1", "app=payments"),
        ("isolated", "audit-1", "app=audit"),
        ("elsewhere", "client-1", ""),
    ];

    [Theory]
    [InlineData("scoping")]
    [InlineData("scoping-root")]
    public void Manifests_GiveTheGoldenViewPerProxy(string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "testdata", "control", name);
        var registry = new MeshRegistry([new ManifestSource([directory], new PodRegistry())], TimeProvider.System, TimeSpan.FromMilliseconds(100), NullLogger.Instance);
        var text = new StringBuilder();
        foreach (var (ns, pod, labels) in Proxies)
        {
            var view = registry.Current.ViewFor(Node(ns, pod, labels));
            text.Append($"# proxy {pod}.{ns} [{labels}] sidecar: {view.Sidecar ?? "(none)"}\n");
            foreach (var type in (string[])[TypeUrls.Services, TypeUrls.Endpoints, TypeUrls.VirtualServices, TypeUrls.DestinationRules])
            {
                text.Append($"{TypeUrls.Short(type)}: {string.Join(" ", view.Types[type].Resources.Select(r => r.Name))}\n");
            }
        }

        text.Append("# not applied\n");
        foreach (var ignored in registry.Current.Sources.SelectMany(s => s.Status.Ignored))
        {
            text.Append(ignored.ToString().Replace(directory + "/", "", StringComparison.Ordinal)).Append('\n');
        }

        Golden.Check(Path.Combine("testdata", "control", name + ".views"), text.ToString());
    }

    [Fact]
    public void ProxiesOfOneView_ShareTheEncodedBytes()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "testdata", "control", "scoping");
        var registry = new MeshRegistry([new ManifestSource([directory], new PodRegistry())], TimeProvider.System, TimeSpan.FromMilliseconds(100), NullLogger.Instance);
        var snapshot = registry.Current;

        // Two pods of shop without a selecting Sidecar: one view, one set of bytes.
        var cart = snapshot.ViewFor(Node("shop", "cart-1", "app=cart"));
        Assert.Same(cart, snapshot.ViewFor(Node("shop", "cart-2", "app=cart,version=v2")));
        // Two namespaces without a Sidecar that are exported the same services: two views, one set of bytes per type.
        var elsewhere = snapshot.ViewFor(Node("elsewhere", "client-1", ""));
        var other = snapshot.ViewFor(Node("other", "client-2", ""));
        Assert.NotSame(elsewhere, other);
        Assert.Same(elsewhere.Types[TypeUrls.Services], other.Types[TypeUrls.Services]);
        Assert.Same(elsewhere.Types[TypeUrls.Endpoints], other.Types[TypeUrls.Endpoints]);
        Assert.NotSame(elsewhere.Types[TypeUrls.Services], cart.Types[TypeUrls.Services]);
    }

    [Fact]
    public void ExportToAnnotationAdded_TakesAServiceOutOfOtherNamespacesViews()
    {
        using var copy = new CaseCopy("scoping");
        var source = new ManifestSource([copy.Directory], new PodRegistry());
        var registry = new MeshRegistry([source], TimeProvider.System, TimeSpan.FromMilliseconds(100), NullLogger.Instance);
        var pay = Node("pay", "payments-1", "app=payments");
        Assert.Contains("web.shop", registry.Current.ViewFor(pay).Types[TypeUrls.Services].Resources.Select(r => r.Name));

        // Only the annotation changes: no resource the proxies receive, yet pay's view loses web.shop.
        copy.Edit("services.yaml", "metadata: {name: web, namespace: shop}", "metadata: {name: web, namespace: shop, annotations: {networking.istio.io/exportTo: \".\"}}");
        source.Poll();
        source.Flush();
        registry.Rebuild();

        Assert.DoesNotContain("web.shop", registry.Current.ViewFor(pay).Types[TypeUrls.Services].Resources.Select(r => r.Name));
        Assert.Contains("web.shop", registry.Current.ViewFor(Node("shop", "cart-1", "app=cart")).Types[TypeUrls.Services].Resources.Select(r => r.Name));
    }

    [Fact]
    public void EndpointChangeOutsideAView_KeepsThatViewsVersions()
    {
        using var copy = new CaseCopy("scoping");
        var source = new ManifestSource([copy.Directory], new PodRegistry());
        var registry = new MeshRegistry([source], TimeProvider.System, TimeSpan.FromMilliseconds(100), NullLogger.Instance);
        var isolated = Node("isolated", "audit-1", "app=audit");
        var shop = Node("shop", "cart-1", "app=cart");
        var before = (Isolated: registry.Current.ViewFor(isolated), Shop: registry.Current.ViewFor(shop));

        // payments-1 becomes ready: an endpoint of pay's payments, which isolated does not see and shop does.
        copy.Edit("services.yaml", "podIP: 10.244.2.10, conditions: [{type: Ready, status: \"False\"}]", "podIP: 10.244.2.10, conditions: [{type: Ready, status: \"True\"}]");
        source.Poll();
        source.Flush();
        registry.Rebuild();

        var after = (Isolated: registry.Current.ViewFor(isolated), Shop: registry.Current.ViewFor(shop));
        Assert.True(registry.Current.Version > before.Isolated.Version);
        foreach (var (type, content) in before.Isolated.Types)
        {
            Assert.Same(content, after.Isolated.Types[type]);
        }

        Assert.NotEqual(before.Shop.Types[TypeUrls.Endpoints].Hash, after.Shop.Types[TypeUrls.Endpoints].Hash);
        Assert.Same(before.Shop.Types[TypeUrls.Services], after.Shop.Types[TypeUrls.Services]);
    }

    internal static Waylay.Discovery.V1.Node Node(string ns, string pod, string labels)
    {
        var node = new Waylay.Discovery.V1.Node { Id = $"{pod}.{ns}", PodName = pod, Namespace = ns };
        foreach (var pair in labels.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            node.Labels[pair[..pair.IndexOf('=', StringComparison.Ordinal)]] = pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..];
        }

        return node;
    }

    /// <summary>A test case's manifests copied to a temporary directory (<c>wl-scope-…</c>) to edit, removed after.</summary>
    private sealed class CaseCopy : IDisposable
    {
        public CaseCopy(string name)
        {
            Directory = System.IO.Directory.CreateTempSubdirectory("wl-scope-").FullName;
            foreach (var file in System.IO.Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "testdata", "control", name)))
            {
                File.Copy(file, Path.Combine(Directory, Path.GetFileName(file)));
            }
        }

        public string Directory { get; }

        public void Edit(string file, string from, string to)
        {
            var path = Path.Combine(Directory, file);
            var text = File.ReadAllText(path);
            Assert.Contains(from, text, StringComparison.Ordinal);
            File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
        }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }
}
