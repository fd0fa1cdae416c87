using Waylay.Discovery.V1;
using Waylay.Mesh;
using Waylay.Mesh.Networking;

namespace Waylay.Discovery;

/// <summary>
/// VirtualServices and DestinationRules travel as the Istio documents their source held; the proxy reads each with
/// <see cref="NetworkingReader"/> (the reader of <c>--rules</c> files, so a rule means the same from a file and from
/// the control plane) and then validates them together with <see cref="NetworkingValidator"/>.
/// </summary>
public static class RoutingResources
{
    public static Resource VirtualService(string ns, string name, string document) =>
        new() { Name = $"{name}.{ns}", VirtualService = new IstioResource { Namespace = ns, Name = name, Document = document } };

    public static Resource DestinationRule(string ns, string name, string document) =>
        new() { Name = $"{name}.{ns}", DestinationRule = new IstioResource { Namespace = ns, Name = name, Document = document } };

    public static NetworkingConfig ToConfig(IReadOnlyList<Resource> virtualServices, IReadOnlyList<Resource> destinationRules, List<MeshError> errors)
    {
        var services = new List<VirtualService>();
        var rules = new List<DestinationRule>();
        foreach (var resource in virtualServices.Concat(destinationRules))
        {
            var istio = resource.VirtualService ?? resource.DestinationRule;
            if (istio is null)
            {
                errors.Add(new MeshError(resource.Name, "is not a VirtualService or DestinationRule resource"));
                continue;
            }

            var (config, problems) = NetworkingReader.TryRead(istio.Document, istio.Namespace);
            if (config is null)
            {
                errors.AddRange(problems.Select(p => p.ToMeshError()));
                continue;
            }

            services.AddRange(config.VirtualServices);
            rules.AddRange(config.DestinationRules);
        }

        var all = new NetworkingConfig(services, rules);
        errors.AddRange(NetworkingValidator.Validate(all).Select(e => e.ToMeshError()));
        return all;
    }
}
