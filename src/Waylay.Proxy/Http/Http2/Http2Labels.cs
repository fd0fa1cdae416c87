using Waylay.Proxy.Routing;
using Waylay.Proxy.Telemetry.Http;

namespace Waylay.Proxy.Http.Http2;

/// <summary>The Istio labels of one connection's requests, made once per connection and request protocol.</summary>
internal static class Http2Labels
{
    public static IstioLabels Default(HttpScope scope, string protocol)
    {
        var reporter = scope.Direction == TrafficDirection.Inbound ? Reporter.Destination : Reporter.Source;
        if (scope.Service is not { } service)
        {
            return new IstioLabels(reporter, IstioPeer.None, IstioPeer.None, IstioPeer.Unknown, IstioPeer.Unknown, IstioPeer.Unknown, protocol);
        }

        return new IstioLabels(reporter, IstioPeer.None, IstioPeer.None, service.Host, service.Service.Name, service.Service.Namespace, protocol);
    }
}
