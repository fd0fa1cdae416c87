using System.Net;

namespace Waylay.Mesh;

/// <summary>One backend of a service: an address, optionally its own port per service port name, labels and health.</summary>
/// <param name="Ports">Overrides of the service ports' targetPort by port name; empty means "use targetPort".</param>
public sealed record Endpoint(
    IPAddress Address,
    IReadOnlyDictionary<string, ushort> Ports,
    IReadOnlyDictionary<string, string> Labels,
    EndpointHealth Health = EndpointHealth.Healthy)
{
    /// <summary>The port this endpoint serves <paramref name="port"/> on.</summary>
    public ushort PortFor(ServicePort port) => Ports.TryGetValue(port.Name, out var own) ? own : port.TargetPort;
}

/// <summary>Kubernetes' endpoint conditions: only healthy endpoints receive new connections.</summary>
public enum EndpointHealth
{
    Healthy,
    Unhealthy,
    Draining,
}
