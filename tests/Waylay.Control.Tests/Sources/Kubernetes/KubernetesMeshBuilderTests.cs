using System.Net;
using k8s;
using k8s.Models;
using Waylay.Control.Sources;
using Waylay.Control.Sources.Kubernetes;
using Waylay.Mesh;

namespace Waylay.Control.Tests.Sources.Kubernetes;

/// <summary>The stores → model translation on its own, for the cases the recorded cluster does not cover.</summary>
public sealed class KubernetesMeshBuilderTests
{
    [Fact]
    public void TwoVirtualServicesForOneHost_TheOldestRoutes_TheOtherIsNamedWithTheReason()
    {
        var stores = Stores(
            VirtualService("reviews-new", "2026-12-02T00:00:00Z", "reviews"),
            VirtualService("reviews-old", "2026-12-01T00:00:00Z", "reviews"));
        var ignored = new List<IgnoredResource>();

        var config = KubernetesMeshBuilder.BuildNetworking(stores, ignored);

        Assert.Equal("reviews-old", Assert.Single(config.VirtualServices).Name);
        var left = Assert.Single(ignored);
        Assert.Equal(("VirtualService", "default/reviews-new"), (left.Kind, left.Name));
        Assert.Contains("already routed by VirtualService reviews-old.default", left.Reason);
    }

    [Fact]
    public void Endpoints_ReadyUnsetIsHealthy_NotReadyIsUnhealthy_FqdnSlicesAreNamed()
    {
        var stores = new KubernetesStores();
        stores.Services.Add(Store(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "api", NamespaceProperty = "prod" },
            Spec = new V1ServiceSpec { ClusterIPs = ["10.96.1.1", "fd00:96::1"], Ports = [new V1ServicePort { Name = "grpc", Port = 50051, TargetPort = 8080, AppProtocol = "grpc" }] },
        }));
        stores.EndpointSlices.Add(Store(
            Slice("api-v4", "IPv4", new V1Endpoint { Addresses = ["10.244.1.9"] }, new V1Endpoint { Addresses = ["10.244.1.10"], Conditions = new V1EndpointConditions { Ready = false } }),
            Slice("api-fqdn", "FQDN", new V1Endpoint { Addresses = ["api.example.com"] })));
        stores.Pods.Add(Store<V1Pod>());
        var ignored = new List<IgnoredResource>();

        var mesh = KubernetesMeshBuilder.BuildMesh(stores, "v1", ignored);

        var service = Assert.Single(mesh.Services);
        Assert.Equal([IPAddress.Parse("10.96.1.1"), IPAddress.Parse("fd00:96::1")], service.Addresses);
        Assert.Equal(new ServicePort("grpc", 50051, 8080, TransportProtocol.Tcp, "grpc"), Assert.Single(service.Ports));
        Assert.Equal(
            [(IPAddress.Parse("10.244.1.9"), EndpointHealth.Healthy), (IPAddress.Parse("10.244.1.10"), EndpointHealth.Unhealthy)],
            service.Endpoints.Select(e => (e.Address, e.Health)));
        var fqdn = Assert.Single(ignored);
        Assert.Equal(("EndpointSlice", "prod/api-fqdn"), (fqdn.Kind, fqdn.Name));
        Assert.Contains("FQDN", fqdn.Reason);
    }

    private static V1EndpointSlice Slice(string name, string addressType, params V1Endpoint[] endpoints) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "prod", Labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = "api" } },
        AddressType = addressType,
        Endpoints = endpoints,
        Ports = [new Discoveryv1EndpointPort { Name = "grpc", Port = 8080 }],
    };

    private static KubernetesStores Stores(params CustomObject[] virtualServices)
    {
        var stores = new KubernetesStores();
        var store = new ObjectStore<CustomObject>(o => o.Meta);
        store.Replace(virtualServices);
        stores.Istio["VirtualService"] = [store];
        return stores;
    }

    private static ObjectStore<T> Store<T>(params T[] items) where T : IKubernetesObject<V1ObjectMeta>
    {
        var store = new ObjectStore<T>(o => new ObjectMeta(o.Metadata.NamespaceProperty ?? "", o.Metadata.Name, o.Metadata.ResourceVersion));
        store.Replace(items);
        return store;
    }

    private static CustomObject VirtualService(string name, string created, string host) => new(
        "VirtualService", "default", name, "1", DateTimeOffset.Parse(created),
        """
        {"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"NAME","namespace":"default"},
         "spec":{"hosts":["HOST"],"http":[{"route":[{"destination":{"host":"HOST"}}]}]}}
        """.Replace("NAME", name, StringComparison.Ordinal).Replace("HOST", host, StringComparison.Ordinal));
}
