namespace Waylay.Control.Tests.KubeApi;

/// <summary>
/// The collections the Kubernetes source watches, as paths of the API server, and a recorded Bookinfo-like cluster:
/// three Services (one ExternalName), their EndpointSlices and Pods, a VirtualService and DestinationRule for
/// reviews, a VirtualService Waylay refuses (mirror) and a Gateway. ServiceEntry is left unrecorded: a 404, as when
/// its CRD is not installed.
/// </summary>
internal static class BookinfoCluster
{
    public const string Services = "/api/v1/services";
    public const string EndpointSlices = "/apis/discovery.k8s.io/v1/endpointslices";
    public const string Pods = "/api/v1/pods";
    public const string VirtualServices = "/apis/networking.istio.io/v1/virtualservices";
    public const string DestinationRules = "/apis/networking.istio.io/v1/destinationrules";
    public const string Gateways = "/apis/networking.istio.io/v1/gateways";

    public static RecordedKubeApiServer Record(RecordedKubeApiServer server, string? ns = null)
    {
        server.Resource(InNamespace(Services, ns)).List("services.json");
        server.Resource(InNamespace(EndpointSlices, ns)).List("endpointslices.json");
        server.Resource(InNamespace(Pods, ns)).List("pods.json");
        server.Resource(InNamespace(VirtualServices, ns)).List("virtualservices.json");
        server.Resource(InNamespace(DestinationRules, ns)).List("destinationrules.json");
        server.Resource(InNamespace(Gateways, ns)).List("gateways.json");
        return server;
    }

    /// <summary>The namespaced form of a collection: <c>/api/v1/namespaces/{ns}/services</c>.</summary>
    public static string InNamespace(string collection, string? ns)
    {
        if (ns is null)
        {
            return collection;
        }

        var cut = collection.LastIndexOf('/');
        return $"{collection[..cut]}/namespaces/{ns}{collection[cut..]}";
    }
}
