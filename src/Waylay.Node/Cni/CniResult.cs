using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Waylay.Node.Cni;

/// <summary>
/// A CNI 1.0.0 ADD result (SPEC.md, "Success"): the interfaces the plugins made, the addresses with the index of their
/// interface, and the routes. <see cref="Raw"/> is the result as the last plugin printed it: it is what DEL and CHECK
/// get back as <c>prevResult</c>, unchanged, as libcni's cache does.
/// </summary>
internal sealed record CniResult(
    string CniVersion,
    IReadOnlyList<CniInterface> Interfaces,
    IReadOnlyList<CniIpConfig> Ips,
    IReadOnlyList<CniRoute> Routes,
    JsonObject Raw)
{
    public static CniResult Parse(JsonObject json)
    {
        var interfaces = new List<CniInterface>();
        foreach (var node in json["interfaces"]?.AsArray() ?? [])
        {
            interfaces.Add(new CniInterface(
                (string?)node?["name"] ?? "",
                (string?)node?["mac"],
                (string?)node?["sandbox"]));
        }

        var ips = new List<CniIpConfig>();
        foreach (var node in json["ips"]?.AsArray() ?? [])
        {
            // "10.244.1.2/24": an address with its prefix, which IPNetwork refuses (host bits set).
            var cidr = ((string)node!["address"]!).Split('/');
            ips.Add(new CniIpConfig(
                IPAddress.Parse(cidr[0]),
                int.Parse(cidr[1], System.Globalization.CultureInfo.InvariantCulture),
                node["gateway"] is { } gw ? IPAddress.Parse((string)gw!) : null,
                (int?)node["interface"]));
        }

        var routes = new List<CniRoute>();
        foreach (var node in json["routes"]?.AsArray() ?? [])
        {
            routes.Add(new CniRoute(
                IPNetwork.Parse((string)node!["dst"]!),
                node["gw"] is { } gw ? IPAddress.Parse((string)gw!) : null));
        }

        return new CniResult((string?)json["cniVersion"] ?? "", interfaces, ips, routes, json);
    }

    /// <summary>The first address on the sandbox's own interface (the pod IP).</summary>
    public IPAddress? PodAddress(string interfaceName)
    {
        foreach (var ip in Ips)
        {
            if (ip.Interface is { } index && index < Interfaces.Count && Interfaces[index].Name == interfaceName && Interfaces[index].Sandbox is not null)
            {
                return ip.Address;
            }
        }

        return null;
    }
}

/// <summary>An interface a plugin made; <c>Sandbox</c> is the netns path when it is inside the pod.</summary>
internal sealed record CniInterface(string Name, string? Mac, string? Sandbox);

/// <summary>An address: 10.244.1.2/24 as address and prefix length, gateway and interface index.</summary>
internal sealed record CniIpConfig(IPAddress Address, int PrefixLength, IPAddress? Gateway, int? Interface);

internal sealed record CniRoute(IPNetwork Destination, IPAddress? Gateway);
