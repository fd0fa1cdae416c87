using System.Globalization;
using System.Text.Json.Nodes;
using Waylay.Inject.Annotations;
using Waylay.Inject.Probes;
using Waylay.Inject.Template;

namespace Waylay.Inject;

/// <summary>
/// Undoes an earlier injection before <c>--force</c> injects again: removes the containers, volumes and pull
/// secrets the status annotation lists (Waylay's or Istio's) and nothing else, puts the app's probes back from the
/// old proxy's env, and removes the status and the Prometheus scrape annotations pointing at the old proxy. The
/// overrides annotation stays: it is the pod's customization of the sidecar (Template/SidecarOverrides.cs), which
/// the next injection applies again.
/// </summary>
internal static class Uninjection
{
    private static readonly string[] ProberEnvNames = [SidecarNames.AppProbersEnv, "ISTIO_KUBE_APP_PROBERS"];

    public static void Remove(JsonObject pod, SidecarStatus status)
    {
        var annotations = pod["metadata"]?["annotations"] as JsonObject;
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

        // A list that held only a customization the injection took out stays, empty, where it was.
        var customized = SidecarOverrides.ListsOf(pod);
        RemoveNamed(spec, "containers", injected, customized.Contains("containers"));
        RemoveNamed(spec, "initContainers", injected, customized.Contains("initContainers"));
        RemoveNamed(spec, "volumes", status.Volumes.ToHashSet(StringComparer.Ordinal), keepEmpty: false);
        RemoveNamed(spec, "imagePullSecrets", (status.ImagePullSecrets ?? []).ToHashSet(StringComparer.Ordinal), keepEmpty: false);

        if (annotations is not null)
        {
            var istioInjected = annotations.ContainsKey(AnnotationNames.Status.Istio) && !annotations.ContainsKey(AnnotationNames.Status.Waylay);
            PrometheusScrape.Remove(annotations, sidecarPorts, istioInjected, istioAppScrape);
            annotations.Remove(AnnotationNames.Status.Waylay);
            annotations.Remove(AnnotationNames.Status.Istio);
        }
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

    /// <summary>Removes the named items; a list the removal empties goes too (unless kept), so re-injection rebuilds the same shape.</summary>
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

    private static string Name(JsonObject item) => item["name"] is JsonValue name ? name.ToString() : "";
}
