using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Waylay.Inject;

/// <summary>
/// Reads a pod (or pod template) tree into KubernetesClient's typed model: the injector decides on the typed
/// model and edits the tree, so fields the model does not know survive.
/// </summary>
internal static class PodModel
{
    public static V1PodTemplateSpec? TryRead(JsonObject pod, out string? error)
    {
        error = null;
        try
        {
            return KubernetesJson.Deserialize<V1PodTemplateSpec>(pod);
        }
        catch (JsonException e)
        {
            error = $"does not match the Kubernetes pod schema at {e.Path ?? "$"}: {FirstSentence(e.Message)} Fix that field.";
            return null;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            error = $"does not match the Kubernetes pod schema: {e.Message} Fix that field.";
            return null;
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
