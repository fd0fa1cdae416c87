using System.Text.Json.Nodes;

namespace Waylay.Node.Cni;

/// <summary>
/// The CNI network configuration list of one node (SPEC.md, "Configuration format"): <c>bridge</c> with
/// <c>host-local</c> IPAM for 10.244.N.0/24 (gateway 10.244.N.1 on the bridge, <c>isGateway</c>), then
/// <c>loopback</c>, which as a chained plugin brings the pod's lo up and passes the bridge's result on.
/// host-local keeps its leases in <c>dataDir</c>, under the run's state directory, never the host's /var/lib/cni.
/// </summary>
internal static class CniNetworkList
{
    public const string Version = "1.0.0";

    public static JsonObject For(RunNames names, int node, string ipamDataDirectory, bool ipMasquerade = false) => new()
    {
        ["cniVersion"] = Version,
        ["name"] = names.Network(node),
        ["plugins"] = new JsonArray(
            new JsonObject
            {
                ["type"] = "bridge",
                ["bridge"] = names.Bridge,
                ["isGateway"] = true,
                // Off, a pod's connection to another node's pod keeps its own address (host-gw routes pod subnets). On
                // (waylay up --ip-masq), the plugin SNATs what leaves 10.244.N.0/24 to the node's address, in the node's
                // namespace (never the host's: the pods' traffic never leaves the run's namespaces).
                ["ipMasq"] = ipMasquerade,
                ["hairpinMode"] = true,
                ["ipam"] = new JsonObject
                {
                    ["type"] = "host-local",
                    ["dataDir"] = ipamDataDirectory,
                    ["ranges"] = new JsonArray(new JsonArray(new JsonObject
                    {
                        ["subnet"] = $"10.244.{node}.0/24",
                        ["gateway"] = $"10.244.{node}.1",
                    })),
                    ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
                },
            },
            new JsonObject { ["type"] = "loopback" }),
    };
}
