using Waylay.Capture.Options;
using System.Globalization;
using Waylay.Inject.Annotations;
using Waylay.Inject.Values;

namespace Waylay.Inject.Capture;

/// <summary>
/// The init container's <c>waylay capture</c> flags, istio-iptables' short names, in the order Istio's
/// injection template writes them:
/// <code>-p outbound -z inbound -u uid [-g gid] -m mode -i includeCIDRs -x excludeCIDRs -b inboundPorts -d excludedInbound [-q ports] [-o ports]</code>
/// </summary>
internal static class CaptureCommandLine
{
    public static IReadOnlyList<string> Build(PodOptions pod, InjectionValues values)
    {
        var args = new List<string>
        {
            "capture",
            "-p", Port(values.Ports.Outbound),
            "-z", Port(values.Ports.Inbound),
            "-u", values.ProxyUid.ToString(CultureInfo.InvariantCulture),
        };

        // istio-iptables defaults the gid to the uid; say it only when it differs.
        if (values.ProxyGid != values.ProxyUid)
        {
            args.AddRange(["-g", values.ProxyGid.ToString(CultureInfo.InvariantCulture)]);
        }

        args.AddRange(
        [
            "-m", pod.InterceptionMode.ToFlag(),
            "-i", pod.IncludeOutboundIPRanges.ToString(),
            "-x", pod.ExcludeOutboundIPRanges.ToString(),
            "-b", pod.IncludeInboundPorts.ToString(),
            "-d", ExcludedInbound(pod, values),
        ]);

        if (pod.IncludeOutboundPorts is { } include)
        {
            args.AddRange(["-q", include.ToString()]);
        }

        if (pod.ExcludeOutboundPorts is { } exclude)
        {
            args.AddRange(["-o", exclude.ToString()]);
        }

        return args;
    }

    /// <summary>
    /// The proxy's own inbound ports are never captured: metrics and health first, then the pod's exclusions,
    /// then the status port, which is exactly Istio's <c>"15090,15021," + excludeInboundPort(statusPort, excluded)</c>.
    /// </summary>
    private static string ExcludedInbound(PodOptions pod, InjectionValues values)
    {
        var ports = new PortSelection(false, [values.Ports.Metrics, values.Ports.Health]);
        foreach (var port in pod.ExcludeInboundPorts.Ports)
        {
            ports = ports.With(port);
        }

        if (pod.StatusPort != 0)
        {
            ports = ports.With(pod.StatusPort);
        }

        return ports.ToString();
    }

    private static string Port(ushort port) => port.ToString(CultureInfo.InvariantCulture);
}
