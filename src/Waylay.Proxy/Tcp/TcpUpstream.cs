using System.Net;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Tcp;

/// <summary>
/// Where one TCP connection goes, chosen once: the endpoint of the service (or of its <c>tcp</c> route's
/// destination), the app inbound, or the original destination. No <see cref="Target"/>: the service has no healthy
/// endpoint.
/// </summary>
internal readonly record struct TcpUpstream(string ServiceKey, IPEndPoint? Target, IPEndPoint? Source = null, EndpointStats? Endpoint = null, ServiceRoute? Service = null);
