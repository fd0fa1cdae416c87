using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using Waylay.Mesh;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry.Http;

namespace Waylay.Proxy.Telemetry.Http;

/// <summary>
/// The Istio metric labels of an exchange, from what the mesh model knows: this pod's workload (the workload whose
/// addresses include the pod's), the peer's workload by address (an endpoint's for the source reporter, the
/// caller's for the destination reporter: connections between sidecars keep the pod IP as source), and the
/// destination service. Istio learns peers by metadata exchange over mTLS; Waylay has no mTLS yet, so it reads the
/// same facts from the model. Label sets are built once per (snapshot, peer, service) and interned.
/// </summary>
internal sealed class IstioPeers(IstioMetrics metrics, PodAddresses pod)
{
    private readonly ConcurrentDictionary<LabelKey, IstioLabels> _labels = new();
    private RouteTable? _table;

    /// <summary>Source reporter: this pod calls <paramref name="endpoint"/> of <paramref name="service"/> (null: a gateway request no route took anywhere).</summary>
    public IstioLabels Outbound(RouteTable table, ServiceRoute? service, EndpointStats? endpoint, string protocol = "http") =>
        Get(new LabelKey(table, endpoint?.Address.Address ?? IPAddress.None, service?.Host, Reporter.Source, protocol), service, endpoint?.Labels);

    /// <summary>
    /// Destination reporter: <paramref name="caller"/> called this pod's app on <paramref name="port"/>. Keyed by the
    /// port: the service the pod serves there is looked for (a walk over every endpoint) only for a new label set.
    /// </summary>
    public IstioLabels Inbound(RouteTable table, IPAddress caller, ushort port, string protocol = "http") =>
        Get(new LabelKey(table, caller, null, Reporter.Destination, protocol, port), null, null);

    private IstioLabels Get(in LabelKey key, ServiceRoute? service, IReadOnlyDictionary<string, string>? endpointLabels)
    {
        var table = key.Table;
        if (!ReferenceEquals(Volatile.Read(ref _table), table))
        {
            _labels.Clear();
            Volatile.Write(ref _table, table);
        }

        if (_labels.TryGetValue(key, out var labels))
        {
            return labels;
        }

        var reporter = key.Reporter;
        if (reporter == Reporter.Destination)
        {
            service = InboundService(table, key.Port);
        }

        var host = key.Host ?? service?.Host ?? "unknown";
        var peer = key.Peer;
        var protocol = key.Protocol;
        var self = Self(table);
        var other = Peer(table, peer);
        if (other == IstioPeer.None && endpointLabels is { Count: > 0 } && service is not null)
        {
            // No workload listed for the endpoint: its labels (EDS metadata in Istio) still name app and version.
            other = IstioPeer.FromLabels(IstioPeer.Unknown, service.Service.Namespace, endpointLabels);
        }

        labels = metrics.Intern(new IstioLabels(reporter,
            reporter == Reporter.Source ? self : other,
            reporter == Reporter.Source ? other : self,
            host,
            service?.Service.Name ?? "unknown",
            service?.Service.Namespace ?? "unknown",
            protocol));
        _labels[key] = labels;
        return labels;
    }

    /// <summary>
    /// A label set's identity. A struct of its own rather than a tuple of references, whose shared generic code looked
    /// up its equality comparers at run time on every request, and hashed the host's text each time. The host is the
    /// route's own string and the protocol a literal, so both compare by reference: an equal text in another string
    /// only makes a second entry for the same interned labels.
    /// </summary>
    private readonly record struct LabelKey(RouteTable Table, IPAddress Peer, string? Host, Reporter Reporter, string Protocol, ushort Port = 0)
    {
        public bool Equals(LabelKey other) => ReferenceEquals(Table, other.Table) && Peer.Equals(other.Peer) && Reporter == other.Reporter
            && Port == other.Port && ReferenceEquals(Host, other.Host) && ReferenceEquals(Protocol, other.Protocol);

        public override int GetHashCode() => HashCode.Combine(Peer.GetHashCode(), Host is null ? 0 : RuntimeHelpers.GetHashCode(Host), Reporter, Port);
    }

    private IstioPeer Self(RouteTable table)
    {
        foreach (var address in pod.Current)
        {
            if (Find(table.Model, address) is { } workload)
            {
                return IstioPeer.FromLabels(workload.Name, workload.Namespace, workload.Labels);
            }
        }

        return IstioPeer.None;
    }

    private static IstioPeer Peer(RouteTable table, IPAddress address) =>
        Find(table.Model, address) is { } workload ? IstioPeer.FromLabels(workload.Name, workload.Namespace, workload.Labels) : IstioPeer.None;

    private static Workload? Find(MeshModel model, IPAddress address)
    {
        foreach (var workload in model.Workloads)
        {
            foreach (var own in workload.Addresses)
            {
                if (own.Equals(address))
                {
                    return workload;
                }
            }
        }

        return null;
    }

    /// <summary>The service this pod serves on <paramref name="port"/> (its endpoints include the pod's address on that target port).</summary>
    private ServiceRoute? InboundService(RouteTable table, ushort port)
    {
        foreach (var route in table.Routes)
        {
            foreach (var endpoint in route.Endpoints)
            {
                if (endpoint.Address.Port == port && pod.IsOwn(endpoint.Address.Address))
                {
                    return route;
                }
            }
        }

        return null;
    }
}
