namespace Waylay.Mesh.Networking;

/// <summary>
/// A <c>networking.istio.io</c> Gateway, read and validated: the proxies it configures (by their pod labels) and the
/// servers they open. Istio's model: the Gateway opens ports on the selected gateway pods; the VirtualServices that
/// name it in <c>gateways</c> route what arrives there.
/// </summary>
/// <param name="Selector">Pod labels a gateway proxy must all carry; empty selects every gateway proxy.</param>
public sealed record Gateway(string Name, string Namespace, IReadOnlyDictionary<string, string> Selector, IReadOnlyList<GatewayServer> Servers)
{
    public string Key => $"{Name}.{Namespace}";

    /// <summary>How a VirtualService's <c>gateways</c> entry names this Gateway once resolved: <c>namespace/name</c>.</summary>
    public string Reference => $"{Namespace}/{Name}";

    /// <summary>Whether a proxy with <paramref name="labels"/> is one this Gateway configures (Istio's workload selector).</summary>
    public bool Selects(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in Selector)
        {
            if (!labels.TryGetValue(key, out var own) || own != value)
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>One server of a Gateway: a plain-HTTP port and the hosts it admits (Waylay's gateway has no TLS yet).</summary>
/// <param name="Port">The port number as written; the gateway listens on it, or on its Service's targetPort when the
/// gateway's Service has this port (Istio: Gateway port 80 on a Service mapping 80→8080 listens on 8080).</param>
public sealed record GatewayServer(ushort Port, string PortName, string Protocol, IReadOnlyList<GatewayHost> Hosts)
{
    /// <summary>Whether a VirtualService of <paramref name="ns"/> claiming <paramref name="host"/> is admitted by some host of this server.</summary>
    public bool Admits(string ns, string host, string gatewayNamespace)
    {
        foreach (var allowed in Hosts)
        {
            if (allowed.AllowsNamespace(ns, gatewayNamespace) && (GatewayHost.Matches(allowed.Host, host) || GatewayHost.Matches(host, allowed.Host)))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// A Gateway server's host, <c>[namespace/]dnsName</c>: which namespaces' VirtualServices may bind (<c>*</c> any,
/// <c>.</c> the Gateway's own) and which request hosts it admits (<c>*</c>, <c>*.example.com</c> or a name).
/// </summary>
public readonly record struct GatewayHost(string Namespace, string Host)
{
    public bool AllowsNamespace(string ns, string gatewayNamespace) =>
        Namespace == "*" || Namespace == ns || (Namespace == "." && ns == gatewayNamespace);

    /// <summary>Whether <paramref name="pattern"/> (<c>*</c>, <c>*.suffix</c> or a name) covers <paramref name="host"/>,
    /// as Envoy matches a virtual host's domains (a wildcard host is covered by a wider wildcard).</summary>
    public static bool Matches(string pattern, string host) =>
        pattern == "*" || (host != "*" && HostName.Covers(pattern, host));

    public override string ToString() => $"{Namespace}/{Host}";
}
