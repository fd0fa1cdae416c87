using System.Text.Json.Nodes;
using Waylay.Inject.Annotations;
using Waylay.Inject.Probes;
using Waylay.Inject.Template;

namespace Waylay.Inject;

/// <summary>
/// Undoes an earlier injection before <c>--force</c> injects again: removes the containers, volumes and pull
/// secrets the status annotation lists (Waylay's or Istio's) and nothing else, and puts the app's probes back
/// from the old proxy's env.
/// </summary>
internal static class Uninjection
{
    private static readonly string[] ProberEnvNames = [SidecarNames.AppProbersEnv, "ISTIO_KUBE_APP_PROBERS"];

    public static void Remove(JsonObject pod, SidecarStatus status)
    {
        var spec = (JsonObject)pod["spec"]!;
        var injected = status.Containers.Concat(status.InitContainers).ToHashSet(StringComparer.Ordinal);

        foreach (var key in new[] { "containers", "initContainers" })
        {
            if (spec[key] is not JsonArray list)
            {
                continue;
            }

            foreach (var container in list.OfType<JsonObject>().Where(c => injected.Contains(Name(c))))
            {
                if (ProbersOf(container) is { } probers && spec["containers"] is JsonArray app)
                {
                    ProbeRewriter.Restore(app, probers);
                }
            }
        }

        RemoveNamed(spec, "containers", injected);
        RemoveNamed(spec, "initContainers", injected);
        RemoveNamed(spec, "volumes", status.Volumes.ToHashSet(StringComparer.Ordinal));
        RemoveNamed(spec, "imagePullSecrets", (status.ImagePullSecrets ?? []).ToHashSet(StringComparer.Ordinal));

        if (pod["metadata"]?["annotations"] is JsonObject annotations)
        {
            annotations.Remove(AnnotationNames.Status.Waylay);
            annotations.Remove(AnnotationNames.Status.Istio);
        }
    }

    private static string? ProbersOf(JsonObject container)
    {
        foreach (var env in (container["env"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (ProberEnvNames.Contains(Name(env)) && env["value"] is JsonValue value)
            {
                return value.GetValue<string>();
            }
        }

        return null;
    }

    /// <summary>Removes the named items; a list the removal empties goes too, so re-injection rebuilds the same shape.</summary>
    private static void RemoveNamed(JsonObject spec, string key, HashSet<string> names)
    {
        if (spec[key] is not JsonArray list || names.Count == 0)
        {
            return;
        }

        var before = list.Count;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i] is JsonObject item && names.Contains(Name(item)))
            {
                list.RemoveAt(i);
            }
        }

        if (list.Count == 0 && before > 0)
        {
            spec.Remove(key);
        }
    }

    private static string Name(JsonObject item) => item["name"] is JsonValue name ? name.ToString() : "";
}
