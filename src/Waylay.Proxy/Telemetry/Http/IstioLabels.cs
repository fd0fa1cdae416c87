namespace Waylay.Proxy.Telemetry.Http;

/// <summary>Istio's <c>reporter</c> label: which sidecar of the exchange reported it.</summary>
internal enum Reporter
{
    /// <summary>The client's sidecar (outbound).</summary>
    Source,

    /// <summary>The server's sidecar (inbound).</summary>
    Destination,
}

/// <summary>One side of an exchange as Istio labels it; "unknown" for what the proxy cannot tell (Istio's value too).</summary>
internal sealed record IstioPeer(string Workload = IstioPeer.Unknown, string Namespace = IstioPeer.Unknown, string App = IstioPeer.Unknown,
    string Version = IstioPeer.Unknown, string Principal = IstioPeer.Unknown, string CanonicalService = IstioPeer.Unknown,
    string CanonicalRevision = IstioPeer.Unknown, string Cluster = IstioPeer.Unknown)
{
    public const string Unknown = "unknown";

    public static IstioPeer None { get; } = new();

    /// <summary>
    /// A workload's peer labels from its pod labels, with Istio's fallbacks: app and version from <c>app</c>/<c>version</c>;
    /// canonical service from <c>service.istio.io/canonical-name</c>, else <c>app.kubernetes.io/name</c>, else
    /// <c>app</c>, else the workload name; canonical revision from <c>service.istio.io/canonical-revision</c>, else
    /// <c>app.kubernetes.io/version</c>, else <c>version</c>, else "latest".
    /// </summary>
    public static IstioPeer FromLabels(string workload, string @namespace, IReadOnlyDictionary<string, string> labels,
        string principal = Unknown, string cluster = "Kubernetes")
    {
        string? Label(string name) => labels.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        var app = Label("app") ?? Label("app.kubernetes.io/name");
        var version = Label("version") ?? Label("app.kubernetes.io/version");
        return new IstioPeer(workload, @namespace, app ?? Unknown, version ?? Unknown, principal,
            Label("service.istio.io/canonical-name") ?? Label("app.kubernetes.io/name") ?? Label("app") ?? workload,
            Label("service.istio.io/canonical-revision") ?? Label("app.kubernetes.io/version") ?? Label("version") ?? "latest",
            cluster);
    }
}

/// <summary>
/// The labels of a connection's or a route's exchanges that do not change per request: reporter, both peers, the
/// destination service, protocol and mTLS policy. Value equality, so <see cref="IstioMetrics.Intern"/> maps equal sets
/// to one instance; the core interns once per connection (or per route at config build) and every request then only
/// adds its response code, flags and gRPC status.
/// </summary>
internal sealed record IstioLabels(
    Reporter Reporter,
    IstioPeer Source,
    IstioPeer Destination,
    string DestinationService,
    string DestinationServiceName,
    string DestinationServiceNamespace,
    string RequestProtocol = "http",
    string ConnectionSecurityPolicy = "none")
{
    /// <summary>
    /// A copy (<c>with</c>) is a new label set: it takes the labels only, never the caches below, so it is neither
    /// taken for the interned instance nor given its series.
    /// </summary>
    private IstioLabels(IstioLabels original)
    {
        (Reporter, Source, Destination, DestinationService) = (original.Reporter, original.Source, original.Destination, original.DestinationService);
        (DestinationServiceName, DestinationServiceNamespace) = (original.DestinationServiceName, original.DestinationServiceNamespace);
        (RequestProtocol, ConnectionSecurityPolicy) = (original.RequestProtocol, original.ConnectionSecurityPolicy);
    }

    public string ReporterText => Reporter == Reporter.Source ? "source" : "destination";

    // IstioMetrics' per-instance caches, not part of the labels' value (equality, hash and copies leave them out): the
    // metrics that interned this instance, and the request series it recorded into last, so a request that ends like
    // the one before (nearly all do) finds its series without a dictionary lookup. Both name their IstioMetrics: a
    // process has one, tests have many.
    internal volatile IstioMetrics? InternedBy;
    internal volatile RequestSeries? LastSeries;

    public bool Equals(IstioLabels? other) => other is not null && Reporter == other.Reporter && Source.Equals(other.Source)
        && Destination.Equals(other.Destination) && DestinationService == other.DestinationService
        && DestinationServiceName == other.DestinationServiceName && DestinationServiceNamespace == other.DestinationServiceNamespace
        && RequestProtocol == other.RequestProtocol && ConnectionSecurityPolicy == other.ConnectionSecurityPolicy;

    public override int GetHashCode() => HashCode.Combine(Reporter, Source, Destination, DestinationService, DestinationServiceName,
        DestinationServiceNamespace, RequestProtocol, ConnectionSecurityPolicy);
}
