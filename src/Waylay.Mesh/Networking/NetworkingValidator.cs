namespace Waylay.Mesh.Networking;

/// <summary>
/// Rules across resources, whatever their source. Istio itself accepts two VirtualServices (or DestinationRules)
/// for one host and then picks one by creation time; Waylay refuses the pair instead, naming both, because which
/// one wins would otherwise depend on the order files are read in.
/// </summary>
public static class NetworkingValidator
{
    public static IReadOnlyList<NetworkingError> Validate(NetworkingConfig config)
    {
        var errors = new List<NetworkingError>();
        var routeOwners = new Dictionary<string, VirtualService>(StringComparer.Ordinal);
        foreach (var service in config.VirtualServices)
        {
            for (var i = 0; i < service.Hosts.Count; i++)
            {
                var host = service.Hosts[i];
                if (routeOwners.TryGetValue(host, out var owner) && owner != service)
                {
                    errors.Add(new NetworkingError(Label("VirtualService", service.Name, service.Namespace), $"spec.hosts[{i}]",
                        $"'{host}' is already routed by VirtualService {owner.Key}: merge the two into one"));
                }
                else
                {
                    routeOwners[host] = service;
                }
            }
        }

        var ruleOwners = new Dictionary<string, DestinationRule>(StringComparer.Ordinal);
        foreach (var rule in config.DestinationRules)
        {
            if (rule.Host.Length == 0)
            {
                continue;
            }

            if (ruleOwners.TryGetValue(rule.Host, out var owner))
            {
                errors.Add(new NetworkingError(Label("DestinationRule", rule.Name, rule.Namespace), "spec.host",
                    $"'{rule.Host}' already has DestinationRule {owner.Key}: merge the two into one"));
            }
            else
            {
                ruleOwners[rule.Host] = rule;
            }
        }

        return errors;
    }

    internal static string Label(string kind, string name, string ns) => ns == "default" ? $"{kind} {name}" : $"{kind} {name}.{ns}";
}
