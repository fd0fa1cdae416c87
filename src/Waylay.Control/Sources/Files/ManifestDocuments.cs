using k8s;
using k8s.Models;
using Waylay.Control.Sources.Kubernetes;
using Waylay.Mesh;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Waylay.Control.Sources.Files;

/// <summary>
/// Sorts the documents of manifest files (what <c>kubectl apply -f</c> takes, plus Waylay's own mesh.yaml) into the
/// stores the Kubernetes source fills from a cluster: Services, EndpointSlices, Pods, Istio's custom resources.
/// Workload kinds (Deployment…) are not mesh resources and are named in the ignored list with why; a document that
/// cannot be read is named with the reader's error. A document without a namespace is in "default", as kubectl does.
/// </summary>
internal sealed class ManifestDocuments
{
    public KubernetesStores Stores { get; } = new();

    public List<MeshModel> MeshFiles { get; } = [];

    public List<IgnoredResource> Ignored { get; } = [];

    public ManifestDocuments()
    {
        Stores.Services.Add(new ObjectStore<V1Service>(s => Meta(s.Metadata)));
        Stores.EndpointSlices.Add(new ObjectStore<V1EndpointSlice>(s => Meta(s.Metadata)));
        Stores.Pods.Add(new ObjectStore<V1Pod>(p => Meta(p.Metadata)));
        foreach (var (kind, _) in KubernetesApi.IstioKinds)
        {
            Stores.Istio[kind] = [new ObjectStore<CustomObject>(o => o.Meta)];
        }
    }

    /// <summary>Fresh stores holding the same objects, for one rebuild to add registered pods and made slices to.</summary>
    public KubernetesStores Copy()
    {
        var copy = new ManifestDocuments().Stores;
        copy.Services[0].Replace(Stores.Services[0].Items());
        copy.EndpointSlices[0].Replace(Stores.EndpointSlices[0].Items());
        copy.Pods[0].Replace(Stores.Pods[0].Items());
        foreach (var (kind, stores) in Stores.Istio)
        {
            copy.Istio[kind][0].Replace(stores[0].Items());
        }

        return copy;
    }

    public void Read(string file, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            Ignored.Add(new IgnoredResource("(file)", file, $"not valid YAML (line {e.Start.Line}): {e.InnerException?.Message ?? e.Message}"));
            return;
        }

        for (var d = 0; d < stream.Documents.Count; d++)
        {
            if (stream.Documents[d].RootNode is YamlMappingNode root)
            {
                ReadDocument(file, d + 1, root);
            }
        }
    }

    private void ReadDocument(string file, int number, YamlMappingNode root)
    {
        var kind = Scalar(root, "kind");
        var apiVersion = Scalar(root, "apiVersion") ?? "";
        var text = Text(root);
        var where = $"{file} document {number}";
        if (kind is null && root.Children.ContainsKey("services"))
        {
            var (model, errors) = MeshFileReader.TryRead(text);
            if (model is null)
            {
                Ignored.Add(new IgnoredResource("mesh.yaml", where, string.Join("; ", errors)));
            }
            else
            {
                MeshFiles.Add(model);
            }

            return;
        }

        try
        {
            switch (kind)
            {
                case "List" when root.Children.TryGetValue("items", out var items) && items is YamlSequenceNode list:
                    foreach (var item in list.OfType<YamlMappingNode>())
                    {
                        ReadDocument(file, number, item);
                    }

                    break;
                case "Service" when apiVersion == "v1":
                    Stores.Services[0].Upsert(Namespaced(KubernetesYamlText.Deserialize<V1Service>(text)));
                    break;
                case "EndpointSlice" when apiVersion.StartsWith("discovery.k8s.io/", StringComparison.Ordinal):
                    Stores.EndpointSlices[0].Upsert(Namespaced(KubernetesYamlText.Deserialize<V1EndpointSlice>(text)));
                    break;
                case "Pod" when apiVersion == "v1":
                    Stores.Pods[0].Upsert(Namespaced(KubernetesYamlText.Deserialize<V1Pod>(text)));
                    break;
                case { } istio when apiVersion.StartsWith("networking.istio.io/", StringComparison.Ordinal) && Stores.Istio.TryGetValue(istio, out var stores):
                    var meta = root.Children.TryGetValue("metadata", out var m) ? m as YamlMappingNode : null;
                    var ns = (meta is null ? null : Scalar(meta, "namespace")) ?? "default";
                    stores[0].Upsert(new CustomObject(istio, ns, (meta is null ? null : Scalar(meta, "name")) ?? "", null, null, text));
                    break;
                default:
                    Ignored.Add(new IgnoredResource(kind ?? "(no kind)", where,
                        $"{apiVersion} {kind} is not a resource the control plane configures proxies from; only Services, EndpointSlices, Pods and networking.istio.io resources are"));
                    break;
            }
        }
        catch (Exception e) when (e is YamlException or FormatException or InvalidOperationException)
        {
            Ignored.Add(new IgnoredResource(kind ?? "(no kind)", where, $"cannot be read as {apiVersion} {kind}: {e.InnerException?.Message ?? e.Message}"));
        }
    }

    private static T Namespaced<T>(T resource)
        where T : IMetadata<V1ObjectMeta>
    {
        resource.Metadata ??= new V1ObjectMeta();
        resource.Metadata.NamespaceProperty ??= "default";
        return resource;
    }

    private static ObjectMeta Meta(V1ObjectMeta? metadata) => new(metadata?.NamespaceProperty ?? "default", metadata?.Name ?? "", metadata?.ResourceVersion);

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static string Text(YamlNode node)
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(node)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }
}
