using k8s;
using k8s.Models;
using Waylay.TestKit;

namespace Waylay.Control.Tests.Install;

/// <summary>
/// <c>waylay control manifests</c> (the real CLI), read back with KubernetesClient's typed models: every object a
/// cluster needs, read-only RBAC for exactly the watched kinds, and a Service at the address the injector gives
/// every sidecar by default (<c>waylay inject --print-values</c>' discoveryAddress).
/// </summary>
public sealed class ControlManifestsTests
{
    [Fact]
    public async Task Manifests_InstallTheControlPlaneAtTheInjectorsDefaultDiscoveryAddress_WithReadOnlyRbac()
    {
        var result = await WaylayCli.RunAsync("control", "manifests", "--namespace", "mesh-system");
        Assert.True(result.Succeeded, result.Diagnostic);
        var objects = KubernetesYaml.LoadAllFromString(result.StandardOutput);

        var ns = Assert.Single(objects.OfType<V1Namespace>());
        Assert.Equal("mesh-system", ns.Metadata.Name);
        var account = Assert.Single(objects.OfType<V1ServiceAccount>());
        Assert.Equal(("waylay-control", "mesh-system"), (account.Metadata.Name, account.Metadata.NamespaceProperty));

        var role = Assert.Single(objects.OfType<V1ClusterRole>());
        Assert.All(role.Rules, rule => Assert.Equal(["list", "watch"], rule.Verbs));
        var granted = role.Rules.SelectMany(r => r.Resources.Select(resource => $"{r.ApiGroups.Single()}/{resource}")).Order().ToList();
        Assert.Equal(["/pods", "/services", "discovery.k8s.io/endpointslices", "networking.istio.io/destinationrules", "networking.istio.io/gateways",
            "networking.istio.io/serviceentries", "networking.istio.io/sidecars", "networking.istio.io/virtualservices"], granted);
        var binding = Assert.Single(objects.OfType<V1ClusterRoleBinding>());
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        Assert.Equal(("ServiceAccount", "waylay-control", "mesh-system"), (binding.Subjects.Single().Kind, binding.Subjects.Single().Name, binding.Subjects.Single().NamespaceProperty));

        var deployment = Assert.Single(objects.OfType<V1Deployment>());
        var pod = deployment.Spec.Template;
        Assert.Equal("waylay-control", pod.Spec.ServiceAccountName);
        Assert.True(deployment.Spec.Selector.MatchLabels.All(l => pod.Metadata.Labels[l.Key] == l.Value), "the selector must match the pod template's labels");
        Assert.Equal("false", pod.Metadata.Labels["sidecar.istio.io/inject"]);
        var container = pod.Spec.Containers.Single();
        Assert.Equal(["control", "--in-cluster", "--port", "15010", "--debug-port", "15014"], container.Args);
        Assert.Equal([15010, 15014], container.Ports.Select(p => p.ContainerPort));
        Assert.Equal(15014, int.Parse(container.ReadinessProbe.HttpGet.Port.Value, System.Globalization.CultureInfo.InvariantCulture));

        var service = Assert.Single(objects.OfType<V1Service>());
        Assert.Equal(deployment.Spec.Selector.MatchLabels, service.Spec.Selector);
        Assert.Equal([("grpc-xds", 15010), ("http-monitoring", 15014)], service.Spec.Ports.Select(p => (p.Name, p.Port)));

        // The injector's default --discoveryAddress is this Service in the default install namespace.
        var values = await WaylayCli.RunAsync("inject", "--print-values");
        Assert.True(values.Succeeded, values.Diagnostic);
        Assert.Contains("discoveryAddress: waylay-control.waylay-system:15010", values.StandardOutput, StringComparison.Ordinal);
    }
}

/// <summary>The CLI contract for refused input (README "Exit codes") on <c>waylay control</c>.</summary>
public sealed class ControlCommandTests
{
    [Fact]
    public async Task MissingManifestPath_IsAUsageErrorNamingTheFlag()
    {
        var result = await WaylayCli.RunAsync("control", "-f", "/nonexistent/wl-manifests", "--port", "1", "--debug-port", "2");
        WaylayCli.AssertRefused(result, 2, "-f /nonexistent/wl-manifests: no such file or directory");
    }

    [Fact]
    public async Task SamePortTwice_IsAUsageError()
    {
        var result = await WaylayCli.RunAsync("control", "--port", "15010", "--debug-port", "15010");
        WaylayCli.AssertRefused(result, 2, "--port and --debug-port are both 15010");
    }
}
