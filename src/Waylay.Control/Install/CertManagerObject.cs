using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Waylay.Control.Install;

/// <summary>
/// A cert-manager resource (cert-manager.io/v1 Issuer or Certificate). KubernetesClient has no model for them, and
/// their spec is small and written only by us, so it stays a tree of dictionaries; the envelope is typed.
/// </summary>
internal sealed class CertManagerObject : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "cert-manager.io";
    public const string Version = "v1";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = Group + "/" + Version;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public Dictionary<string, object> Spec { get; set; } = [];
}
