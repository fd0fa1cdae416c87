using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Waylay.Mesh.Yaml;

namespace Waylay.Mesh.Networking;

/// <summary>
/// Reads Istio <c>networking.istio.io</c> Gateways, VirtualServices and DestinationRules (v1, v1beta1, v1alpha3) from
/// YAML or JSON, one or many documents (and <c>kind: List</c>), into validated immutable records. Documents of other
/// API groups (Deployments, Services…) are skipped, so a whole manifest bundle can be passed; other kinds of
/// <c>networking.istio.io</c> (ServiceEntry, Sidecar…) are rejected because Waylay would not honour them.
/// Like <see cref="MeshFileReader"/> it walks YamlDotNet's node tree by hand (NativeAOT-safe, a path and line for
/// every error) and reports every error at once.
/// </summary>
public static partial class NetworkingReader
{
    private static readonly string[] ApiVersions = ["networking.istio.io/v1", "networking.istio.io/v1beta1", "networking.istio.io/v1alpha3"];

    /// <summary>Reads and validates; throws <see cref="MeshValidationException"/> listing every error.</summary>
    public static NetworkingConfig Read(string text, string source = "networking.yaml", string defaultNamespace = "default")
    {
        var (config, errors) = TryRead(text, defaultNamespace);
        return errors.Count > 0 ? throw new MeshValidationException(source, [.. errors.Select(e => e.ToMeshError())]) : config!;
    }

    /// <summary>Reads and validates, returning every error instead of throwing; the config is null when there is any.</summary>
    public static (NetworkingConfig? Config, IReadOnlyList<NetworkingError> Errors) TryRead(string text, string defaultNamespace = "default")
    {
        var errors = new List<NetworkingError>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            errors.Add(new NetworkingError("(yaml)", "(document)", $"is not valid YAML or JSON: {e.InnerException?.Message ?? e.Message}", (int)e.Start.Line));
            return (null, errors);
        }

        var read = new Resources();
        for (var d = 0; d < stream.Documents.Count; d++)
        {
            ReadDocument(stream.Documents[d].RootNode, $"document {d + 1}", defaultNamespace, read, errors);
        }

        var config = new NetworkingConfig(read.Services, read.Rules) { Gateways = read.Gateways };
        errors.AddRange(NetworkingValidator.Validate(config));
        return (errors.Count == 0 ? config : null, errors);
    }

    private sealed class Resources
    {
        public List<VirtualService> Services { get; } = [];

        public List<DestinationRule> Rules { get; } = [];

        public List<Gateway> Gateways { get; } = [];
    }

    private static void ReadDocument(YamlNode root, string label, string defaultNamespace, Resources read, List<NetworkingError> errors)
    {
        if (root is YamlScalarNode { Value: null or "" } || root is not YamlMappingNode mapping)
        {
            if (root is not YamlScalarNode { Value: null or "" })
            {
                errors.Add(new NetworkingError(label, "(root)", "must be a Kubernetes resource (a mapping with apiVersion and kind)", (int)root.Start.Line));
            }

            return;
        }

        var header = Reader(errors, label);
        var apiVersion = header.String(mapping, "", "apiVersion") ?? "";
        var kind = header.String(mapping, "", "kind") ?? "";
        if (kind == "List" && apiVersion == "v1")
        {
            var items = header.Items(mapping, "", "items");
            foreach (var (item, path) in items)
            {
                ReadDocument(item, $"{label} {path}", defaultNamespace, read, errors);
            }

            return;
        }

        if (!apiVersion.StartsWith("networking.istio.io/", StringComparison.Ordinal))
        {
            if (kind is "VirtualService" or "DestinationRule" or "Gateway")
            {
                header.Error("apiVersion", $"'{apiVersion}' is not the API group of a {kind}: use networking.istio.io/v1", mapping);
            }

            return; // another API group: not ours to judge
        }

        var metadata = header.OptionalMapping(mapping, "", "metadata");
        var name = metadata is null ? null : header.String(metadata, "metadata", "name", required: true);
        if (metadata is null)
        {
            header.Error("metadata.name", "is required", mapping);
        }

        var ns = (metadata is null ? null : header.String(metadata, "metadata", "namespace")) ?? defaultNamespace;
        var reader = Reader(errors, ns == "default" ? $"{kind} {name}" : $"{kind} {name}.{ns}");
        if (Array.IndexOf(ApiVersions, apiVersion) < 0)
        {
            reader.Error("apiVersion", $"'{apiVersion}' is not supported by Waylay; use networking.istio.io/v1, v1beta1 or v1alpha3", mapping);
            return;
        }

        if (kind is not ("VirtualService" or "DestinationRule" or "Gateway"))
        {
            reader.Error("kind", $"'{kind}' is not supported by Waylay; only Gateway, VirtualService and DestinationRule are", mapping);
            return;
        }

        if (name is not null && !HostName.IsValid(name, allowWildcard: false))
        {
            reader.Error("metadata.name", $"'{name}' is not a valid resource name (lower-case DNS name)", metadata);
        }

        reader.Supported(mapping, "", "apiVersion", "kind", "metadata", "spec", "status");
        if (reader.OptionalMapping(mapping, "", "spec") is not { } spec)
        {
            reader.Error("spec", "is required", mapping);
            return;
        }

        switch (kind)
        {
            case "VirtualService":
                read.Services.Add(ReadVirtualService(reader, spec, name ?? "", ns));
                break;
            case "Gateway":
                read.Gateways.Add(ReadGateway(reader, spec, name ?? "", ns));
                break;
            default:
                read.Rules.Add(ReadDestinationRule(reader, spec, name ?? "", ns));
                break;
        }
    }

    /// <summary>A reader whose every problem is a <see cref="NetworkingError"/> of <paramref name="resource"/>.</summary>
    private static YamlNodeReader Reader(List<NetworkingError> errors, string resource) =>
        new((path, message, line) => errors.Add(new NetworkingError(resource, path, message, line)));

    private static string ResolveHost(YamlNodeReader r, string host, string ns, string path, YamlNode node, bool allowWildcard)
    {
        if (!HostName.IsValid(host, allowWildcard))
        {
            r.Error(path, allowWildcard
                ? $"'{host}' is not a valid host: a DNS name, optionally starting with '*.'"
                : $"'{host}' is not a valid host: a DNS name (short like 'reviews' or fully qualified)", node);
        }

        return HostName.Resolve(host, ns);
    }
}
