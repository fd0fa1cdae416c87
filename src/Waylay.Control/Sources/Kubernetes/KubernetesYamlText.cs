using k8s;
#if KUBERNETES_AOT
using System.Text.Json.Nodes;
using Waylay.Inject.Yaml;
#endif

namespace Waylay.Control.Sources.Kubernetes;

/// <summary>
/// Kubernetes objects to and from YAML, for both builds of this code: the JIT CLI (KubernetesClient) uses the
/// client's KubernetesYaml; the NativeAOT <c>waylay-control</c> (KubernetesClient.Aot, where KubernetesYaml is
/// internal) goes through the client's source-generated JSON and the YAML reader and writer the injector already
/// uses (Waylay.Inject/Yaml), so no reflection-based YAML binding is compiled in.
/// </summary>
internal static class KubernetesYamlText
{
    public static string Serialize(object value) =>
#if KUBERNETES_AOT
        YamlWriter.Write([JsonNode.Parse(KubernetesJson.Serialize(value))]);
#else
        KubernetesYaml.Serialize(value);
#endif

    public static T Deserialize<T>(string yaml) =>
#if KUBERNETES_AOT
        KubernetesJson.Deserialize<T>(YamlReader.ReadDocuments(yaml, typeof(T).Name)[0]?.ToJsonString() ?? "null");
#else
        KubernetesYaml.Deserialize<T>(yaml);
#endif
}
