using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Waylay.Control.Sources;
using Waylay.Control.Tests.KubeApi;
using Waylay.Mesh;

namespace Waylay.Control.Tests.Sources.Kubernetes;

/// <summary>The recorded cluster through the real KubernetesClient, over HTTPS, into Waylay's model.</summary>
public sealed class KubernetesSourceTests
{
    [Fact]
    public async Task InitialList_BuildsServicesEndpointsWorkloadsAndRouting()
    {
        await using var server = BookinfoCluster.Record(await RecordedKubeApiServer.StartAsync());
        await using var run = SourceRun.Start(server);

        var snapshot = await run.WaitForAsync(s => s.Synced, "the first sync");

        var reviews = Find(snapshot, "reviews");
        Assert.Equal([IPAddress.Parse("10.96.0.20")], reviews.Addresses);
        var port = Assert.Single(reviews.Ports);
        Assert.Equal(new ServicePort("http", 9080, 9080), port);
        var ready = Assert.Single(reviews.Endpoints, e => e.Address.Equals(IPAddress.Parse("10.244.1.5")));
        Assert.Equal(EndpointHealth.Healthy, ready.Health);
        Assert.Equal("v1", ready.Labels["version"]); // the pod's labels, through targetRef
        var terminating = Assert.Single(reviews.Endpoints, e => e.Address.Equals(IPAddress.Parse("10.244.1.6")));
        Assert.Equal(EndpointHealth.Draining, terminating.Health);
        Assert.Equal("v2", terminating.Labels["version"]);

        // A named targetPort: the endpoint's port comes from the EndpointSlice's port of the same name.
        var ratings = Find(snapshot, "ratings");
        var web = Assert.Single(ratings.Ports);
        Assert.Equal(("web", "http"), (web.Name, web.AppProtocol));
        Assert.Equal(9081, Assert.Single(ratings.Endpoints).PortFor(web));

        var workload = Assert.Single(snapshot.Mesh.Workloads, w => w.Name == "reviews-v1-5d9f7c6b8-abcde");
        Assert.Equal("bookinfo-reviews", workload.ServiceAccount);
        Assert.Equal([IPAddress.Parse("10.244.1.5")], workload.Addresses);

        var route = Assert.Single(snapshot.Networking.VirtualServices);
        Assert.Equal("reviews.default", route.Key);
        Assert.Equal(["reviews.default.svc.cluster.local"], route.Hosts);
        var rule = Assert.Single(snapshot.Networking.DestinationRules);
        Assert.Equal(["v1", "v2"], rule.Subsets.Select(s => s.Name));
    }

    [Fact]
    public async Task UnsupportedKindsAndRefusedRules_AreCountedAndNamedWithTheReason()
    {
        await using var server = BookinfoCluster.Record(await RecordedKubeApiServer.StartAsync());
        await using var run = SourceRun.Start(server);

        var snapshot = await run.WaitForAsync(s => s.Synced, "the first sync");

        var ignored = snapshot.Status.Ignored.ToDictionary(i => $"{i.Kind} {i.Name}", i => i.Reason);
        Assert.Contains("not implemented", ignored["Gateway default/bookinfo-gateway"]);
        Assert.Contains("ExternalName", ignored["Service default/legacy-db"]);
        // The reader's own error text, naming the field.
        Assert.Contains("spec.http[0].mirror", ignored["VirtualService default/ratings-mirror"]);
        Assert.Equal(1, snapshot.Status.IgnoredByKind["Gateway"]);
        Assert.Equal(1, snapshot.Status.IgnoredByKind["VirtualService"]);

        // ServiceEntry's collection is not served (no CRD): synced empty, and the status says why.
        var serviceEntries = Assert.Single(snapshot.Status.Kinds, k => k.Kind == "ServiceEntry");
        Assert.True(serviceEntries.Synced);
        Assert.Contains("404", serviceEntries.LastError);
    }

    [Theory]
    [InlineData(HttpProtocols.Http1AndHttp2)] // what the client negotiates with an API server
    [InlineData(HttpProtocols.Http1)] // a chunked response, one event per line, held open
    public async Task WatchEvents_AddModifyDelete_ChangeTheModel(HttpProtocols protocols)
    {
        await using var server = BookinfoCluster.Record(await RecordedKubeApiServer.StartAsync(protocols));
        server.Resource(BookinfoCluster.Services).Watch(w => w.Events("services-events.jsonl"));
        server.Resource(BookinfoCluster.EndpointSlices).Watch(w => w.Events("endpointslices-events.jsonl"));
        await using var run = SourceRun.Start(server);

        var snapshot = await run.WaitForAsync(
            s => s.Mesh.Services.Any(x => x.Name == "details") && s.Mesh.Services.All(x => x.Name != "ratings")
                 && Find(s, "reviews") is { Ports.Count: 2, Endpoints.Count: 1 }
                 && s.Status.Kinds.Any(k => k.Kind == "Service" && k.ResourceVersion == "1003"),
            "details added, reviews modified (a second port, one endpoint left), ratings deleted, at resourceVersion 1003");

        Assert.Equal([IPAddress.Parse("10.96.0.22")], Find(snapshot, "details").Addresses);
        Assert.Equal("grpc-admin", Find(snapshot, "reviews").Ports[1].Name);
    }

    [Fact]
    public async Task Namespaces_WatchOnlyThoseNamespacesCollections()
    {
        await using var server = BookinfoCluster.Record(await RecordedKubeApiServer.StartAsync(), "default");
        await using var run = SourceRun.Start(server, configure: o => o with { Namespaces = ["default"] });

        var snapshot = await run.WaitForAsync(s => s.Synced, "the first sync");

        Assert.Equal(["ratings", "reviews"], snapshot.Mesh.Services.Select(s => s.Name).Order());
        Assert.Single(snapshot.Networking.VirtualServices);
        Assert.All(snapshot.Status.Kinds, k => Assert.Equal("default", k.Scope));
        await SourceRun.WaitUntilAsync(
            () => server.Requests.Any(r => r.Path == "/api/v1/namespaces/default/services" && r.Watch && r.ResourceVersion == "1000"),
            "the namespaced watch", () => string.Join(", ", server.Requests));
        Assert.Empty(server.RequestsFor(BookinfoCluster.Services)); // never the cluster-wide collection
    }

    [Fact]
    public async Task ServerCertificateFromAnotherCa_IsRefused_AndReported()
    {
        await using var server = BookinfoCluster.Record(await RecordedKubeApiServer.StartAsync());
        using var otherCa = TestCertificates.Create();
        var kubeconfig = server.WriteKubeconfigTrusting(otherCa.CaPem);
        await using var run = SourceRun.Start(server, configure: o => o with { Kubeconfig = kubeconfig });

        var snapshot = await run.WaitForAsync(s => s.Status.Kinds.Any(k => k.Kind == "Service" && k.LastError is not null), "the list to fail");

        Assert.False(snapshot.Synced);
        Assert.StartsWith("list failed: ", Assert.Single(snapshot.Status.Kinds, k => k.Kind == "Service").LastError);
        Assert.Empty(server.Requests); // TLS failed before any request was sent
    }

    private static Service Find(SourceSnapshot snapshot, string name) =>
        Assert.Single(snapshot.Mesh.Services, s => s.Name == name && s.Namespace == "default");
}
