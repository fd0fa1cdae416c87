using System.Collections.Concurrent;
using System.Net;
using Waylay.Mesh;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry.Http;

namespace Waylay.Proxy.Http.Forwarding;

/// <summary>
/// The Istio metric labels of an exchange, from what the mesh model knows: this pod's workload (the workload whose
/// addresses include the pod's), the peer's workload by address (an endpoint's for the source reporter, the
/// caller's for the destination reporter: connections between sidecars keep the pod IP as source), and the
/// destination service. Istio learns peers by metadata exchange over mTLS; Waylay has no mTLS yet, so it reads the
/// same facts from the model. Label sets are built once per (snapshot, peer, service) and interned.
/// </summary>
internal sealed class IstioPeers(IstioMetrics metrics, PodAddresses pod)
{
    private readonly ConcurrentDictionary<(RouteTable Table, IPAddress Peer, string Service, Reporter Reporter, string Protocol), IstioLabels> _labels = new();
    private RouteTable? _table;

    /// <summary>Source reporter: this pod calls <paramref name="endpoint"/> of <paramref name="service"/>.</summary>
    public IstioLabels Outbound(RouteTable table, ServiceRoute service, EndpointStats? endpoint, string protocol = "http") =>
        Get(table, endpoint?.Address.Address ?? IPAddress.None, service.Host, Reporter.Source, service, endpoint?.Labels, protocol);

    /// <summary>Destination reporter: <paramref name="caller"/> called this pod's app on <paramref name="port"/>.</summary>
    public IstioLabels Inbound(RouteTable table, IPAddress caller, ushort port, string protocol = "http") =>
        Get(table, caller, InboundService(table, port)?.Host ?? "unknown", Reporter.Destination, InboundService(table, port), null, protocol);

    private IstioLabels Get(RouteTable table, IPAddress peer, string host, Reporter reporter, ServiceRoute? service, IReadOnlyDictionary<string, string>? endpointLabels,
        string protocol)
    {
        if (!ReferenceEquals(Volatile.Read(ref _table), table))
        {
            _labels.Clear();
            Volatile.Write(ref _table, table);
        }

        var key = (table, peer, host, reporter, protocol);
        if (_labels.TryGetValue(key, out var labels))
        {
            return labels;
        }

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
