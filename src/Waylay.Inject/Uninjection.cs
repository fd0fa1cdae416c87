using System.Globalization;
using System.Text.Json.Nodes;
using Waylay.Inject.Annotations;
using Waylay.Inject.Probes;
using Waylay.Inject.Template;

namespace Waylay.Inject;

/// <summary>
/// Undoes an earlier injection before <c>--force</c> injects again: removes the containers, volumes and pull
/// secrets the status annotation lists (Waylay's or Istio's) and nothing else, puts the app's probes back from the
/// old proxy's env, gives back the pod's own sidecar customizations from the overrides annotation, and removes the
/// annotations the injection added (status, overrides, the Prometheus scrape annotations pointing at the old proxy).
/// </summary>
internal static class Uninjection
{
    private static readonly string[] ProberEnvNames = [SidecarNames.AppProbersEnv, "ISTIO_KUBE_APP_PROBERS"];

    /// <summary>Null when done; else what is wrong with the pod's annotations, and nothing was changed.</summary>
    public static string? Remove(JsonObject pod, SidecarStatus status)
    {
        var annotations = pod["metadata"]?["annotations"] as JsonObject;
        var overrides = new SidecarOverrides([]);
        if (annotations is not null && AnnotationNames.Overrides.Find(Strings(annotations)) is { } found)
        {
            if (SidecarOverrides.TryParse(found.Value, out var error) is not { } parsed)
            {
                return $"annotation {found.Name} does not hold the sidecar's customizations ({error}); remove it, and the sidecar with it, then inject again.";
            }

            overrides = parsed;
        }

        var spec = (JsonObject)pod["spec"]!;
        var injected = status.Containers.Concat(status.InitContainers).ToHashSet(StringComparer.Ordinal);
        var sidecarPorts = new HashSet<string>(StringComparer.Ordinal);
        string? istioAppScrape = null;
        foreach (var key in new[] { "containers", "initContainers" })
        {
            foreach (var container in (spec[key] as JsonArray)?.OfType<JsonObject>().Where(c => injected.Contains(Name(c))) ?? [])
            {
                if (Env(container, ProberEnvNames) is { } probers)
                {
                    AppProbes.Restore(spec, probers);
                }

                istioAppScrape ??= Env(container, [PrometheusScrape.IstioAppAnnotationsEnv]);
                foreach (var port in (container["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    if (port["containerPort"] is JsonValue number && number.TryGetValue<int>(out var p))
                    {
                        sidecarPorts.Add(p.ToString(CultureInfo.InvariantCulture));
                    }
                }
            }
        }

        var restoredLists = overrides.Taken.Select(t => t.List).ToHashSet(StringComparer.Ordinal);
        RemoveNamed(spec, "containers", injected, restoredLists.Contains("containers"));
        RemoveNamed(spec, "initContainers", injected, restoredLists.Contains("initContainers"));
        RemoveNamed(spec, "volumes", status.Volumes.ToHashSet(StringComparer.Ordinal), keepEmpty: false);
        RemoveNamed(spec, "imagePullSecrets", (status.ImagePullSecrets ?? []).ToHashSet(StringComparer.Ordinal), keepEmpty: false);
        overrides.Restore(spec);

        if (annotations is not null)
        {
            var istioInjected = annotations.ContainsKey(AnnotationNames.Status.Istio) && !annotations.ContainsKey(AnnotationNames.Status.Waylay);
            PrometheusScrape.Remove(annotations, sidecarPorts, istioInjected, istioAppScrape);
            annotations.Remove(AnnotationNames.Overrides.Waylay);
            annotations.Remove(AnnotationNames.Overrides.Istio);
            annotations.Remove(AnnotationNames.Status.Waylay);
            annotations.Remove(AnnotationNames.Status.Istio);
        }

        return null;
    }

    private static string? Env(JsonObject container, string[] names)
    {
        foreach (var env in (container["env"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if (names.Contains(Name(env)) && env["value"] is JsonValue value)
            {
                return value.GetValue<string>();
            }
        }

        return null;
    }

    /// <summary>
    /// Removes the named items; a list the removal empties goes too, so re-injection rebuilds the same shape —
    /// unless the pod's own customizations go back into it.
    /// </summary>
    private static void RemoveNamed(JsonObject spec, string key, HashSet<string> names, bool keepEmpty)
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

        if (list.Count == 0 && before > 0 && !keepEmpty)
        {
            spec.Remove(key);
        }
    }

    private static Dictionary<string, string> Strings(JsonObject annotations) => annotations
        .Where(a => a.Value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String)
        .ToDictionary(a => a.Key, a => a.Value!.GetValue<string>(), StringComparer.Ordinal);

    private static string Name(JsonObject item) => item["name"] is JsonValue name ? name.ToString() : "";
}
