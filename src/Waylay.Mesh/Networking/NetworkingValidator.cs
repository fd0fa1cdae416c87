namespace Waylay.Mesh.Networking;

/// <summary>
/// Rules across resources, whatever their source. A VirtualService may name a Gateway that is not (yet) there, as in
/// Istio: it then routes nothing at a gateway until the Gateway arrives. Istio itself accepts two VirtualServices (or DestinationRules)
/// for one host and then picks one by creation time; Waylay refuses the pair instead, naming both, because which
/// one wins would otherwise depend on the order files are read in.
/// </summary>
public static class NetworkingValidator
{
    public static IReadOnlyList<NetworkingError> Validate(NetworkingConfig config)
    {
        var errors = new List<NetworkingError>();
        // Hosts are claimed per binding: the same "*" may be routed by one VirtualService on each gateway.
        var routeOwners = new Dictionary<(string Binding, string Host), VirtualService>();
        foreach (var service in config.VirtualServices)
        {
            IReadOnlyList<string> bindings = service.Gateways.Count == 0 ? [VirtualService.MeshGateway] : service.Gateways;
            for (var i = 0; i < service.Hosts.Count; i++)
            {
                var host = service.Hosts[i];
                foreach (var binding in bindings)
                {
                    if (routeOwners.TryGetValue((binding, host), out var owner) && owner != service)
                    {
                        var where = binding == VirtualService.MeshGateway ? "" : $" on gateway {binding}";
                        errors.Add(new NetworkingError(Label("VirtualService", service.Name, service.Namespace), $"spec.hosts[{i}]",
                            $"'{host}' is already routed{where} by VirtualService {owner.Key}: merge the two into one"));
                        break;
                    }

                    routeOwners[(binding, host)] = service;
                }
            }
        }

        var gateways = new Dictionary<string, Gateway>(StringComparer.Ordinal);
        foreach (var gateway in config.Gateways)
        {
            if (!gateways.TryAdd(gateway.Reference, gateway))
            {
                errors.Add(new NetworkingError(Label("Gateway", gateway.Name, gateway.Namespace), "metadata.name", "is given twice: keep one Gateway of this name in this namespace"));
            }
        }

        var ruleOwners = new Dictionary<string, DestinationRule>(StringComparer.Ordinal);
        foreach (var rule in config.DestinationRules)
        {
            if (rule.Host.Length == 0)
            {
                continue;
            }

            // Per namespace: rules of one host in different namespaces are chosen between per proxy (the proxy's
            // namespace, then the service's, then the root namespace), as Istio does; within one they clash.
            if (ruleOwners.TryGetValue($"{rule.Namespace}/{rule.Host}", out var owner))
            {
                errors.Add(new NetworkingError(Label("DestinationRule", rule.Name, rule.Namespace), "spec.host",
                    $"'{rule.Host}' already has DestinationRule {owner.Key}: merge the two into one"));
            }
            else
            {
                ruleOwners[$"{rule.Namespace}/{rule.Host}"] = rule;
            }
        }

        return errors;
    }

    internal static string Label(string kind, string name, string ns) => ns == "default" ? $"{kind} {name}" : $"{kind} {name}.{ns}";
}
