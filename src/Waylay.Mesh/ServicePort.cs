namespace Waylay.Mesh;

/// <summary>One port of a service, and the port its endpoints listen on.</summary>
/// <param name="TargetPort">The endpoints' port; an endpoint may override it by port name.</param>
/// <param name="AppProtocol">Kubernetes' appProtocol (e.g. "http", "grpc"); null when unknown.</param>
public sealed record ServicePort(string Name, ushort Port, ushort TargetPort, TransportProtocol Protocol = TransportProtocol.Tcp, string? AppProtocol = null);

public enum TransportProtocol
{
    Tcp,
    Udp,
    Sctp,
}
