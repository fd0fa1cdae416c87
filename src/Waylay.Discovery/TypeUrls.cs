namespace Waylay.Discovery;

/// <summary>
/// The resource types of the stream, as Envoy names its own (<c>type.googleapis.com/envoy.config.listener.v3.Listener</c>):
/// services are the listeners, VirtualServices the routes, DestinationRules the clusters' policies, endpoints the
/// load assignments. Each is versioned and pushed on its own, so an endpoint change sends endpoints only.
/// </summary>
public static class TypeUrls
{
    private const string Prefix = "type.googleapis.com/waylay.discovery.v1.";

    public const string Services = Prefix + "ServiceResource";
    public const string Endpoints = Prefix + "EndpointsResource";
    public const string Workloads = Prefix + "WorkloadResource";
    public const string VirtualServices = Prefix + "VirtualService";
    public const string DestinationRules = Prefix + "DestinationRule";

    /// <summary>Reserved for workload certificates; the control plane serves none yet and the client does not subscribe.</summary>
    public const string Secrets = Prefix + "SecretResource";

    /// <summary>The types a proxy subscribes to, in the order it applies a first complete set.</summary>
    public static IReadOnlyList<string> Subscribed { get; } = [Services, Endpoints, Workloads, VirtualServices, DestinationRules];

    /// <summary>"services", "endpoints"… for logs, metrics and /debug/syncz.</summary>
    public static string Short(string typeUrl) => typeUrl switch
    {
        Services => "services",
        Endpoints => "endpoints",
        Workloads => "workloads",
        VirtualServices => "routes",
        DestinationRules => "clusters",
        Secrets => "secrets",
        _ => typeUrl,
    };
}
