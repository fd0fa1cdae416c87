using System.Collections.Concurrent;
using Waylay.Proxy.Telemetry.Http;
using Waylay.Proxy.Http.Policy;
using Waylay.Proxy.Connections;

namespace Waylay.Proxy.Http.Http2;

/// <summary>The Istio labels of h2 requests: a default set when the host gives none, and gRPC's variant of any set.</summary>
internal sealed class Http2Labels(IstioMetrics? metrics)
{
    /// <summary>Interned "http" set → its interned "grpc" twin; label sets are few (per snapshot, peer and service).</summary>
    private readonly ConcurrentDictionary<IstioLabels, IstioLabels> _grpc = new(ReferenceEqualityComparer.Instance);

    public static IstioLabels Default(HttpScope scope)
    {
        var reporter = scope.Direction == TrafficDirection.Inbound ? Reporter.Destination : Reporter.Source;
        return scope.Service is { } service
            ? new IstioLabels(reporter, IstioPeer.None, IstioPeer.None, service.Host, service.Service.Name, service.Service.Namespace)
            : new IstioLabels(reporter, IstioPeer.None, IstioPeer.None, IstioPeer.Unknown, IstioPeer.Unknown, IstioPeer.Unknown);
    }

    /// <summary>Istio's <c>request_protocol</c> is "grpc" for gRPC requests (content-type application/grpc*).</summary>
    public IstioLabels ForGrpc(IstioLabels labels)
    {
        if (_grpc.TryGetValue(labels, out var grpc))
        {
            return grpc;
        }

        if (_grpc.Count > 4096)
        {
            _grpc.Clear(); // sets of old snapshots
        }

        var made = labels with { RequestProtocol = "grpc" };
        return _grpc[labels] = metrics?.Intern(made) ?? made;
    }
}
