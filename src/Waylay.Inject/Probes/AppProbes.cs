using System.Text.Json;
using System.Text.Json.Nodes;

namespace Waylay.Inject.Probes;

/// <summary>
/// Which containers' probes <see cref="ProbeRewriter"/> gets: the app containers and, as in Istio (its
/// <c>allContainers</c>: init containers, then containers), the init containers, where only native sidecars
/// (<c>restartPolicy: Always</c>) may carry probes. The proxy answers for all of them from one env.
/// <code>
/// layout   native sidecar's liveness/readiness   its startupProbe
/// native   rewritten                             rewritten (the proxy starts before it)
/// classic  rewritten                             left as it is, with a warning: the proxy, a regular container,
///                                                starts only after every init container, so it could never
///                                                answer; the probe runs before capture exists anyway
/// </code>
/// </summary>
internal static class AppProbes
{
    private const string StartupProbe = "startupProbe";

    /// <summary>Rewrites in place; returns the originals as one JSON object (init containers first), or null when none was rewritten.</summary>
    public static string? Rewrite(JsonObject spec, bool nativeLayout, ushort healthPort, List<string> warnings)
    {
        string? init = null;
        if (spec["initContainers"] is JsonArray initContainers)
        {
            var held = nativeLayout ? [] : HoldStartupProbes(initContainers, warnings);
            init = ProbeRewriter.Rewrite(initContainers, healthPort, warnings);
            foreach (var (container, index, probe) in held)
            {
                container.Insert(index, StartupProbe, probe);
            }
        }

        var app = ProbeRewriter.Rewrite((JsonArray)spec["containers"]!, healthPort, warnings);
        return Merge(init, app);
    }

    /// <summary>Puts back the probes of both lists that an earlier injection rewrote.</summary>
    public static void Restore(JsonObject spec, string probersJson)
    {
        foreach (var list in new[] { "initContainers", "containers" })
        {
            if (spec[list] is JsonArray containers)
            {
                ProbeRewriter.Restore(containers, probersJson);
            }
        }
    }

    private static List<(JsonObject Container, int Index, JsonNode Probe)> HoldStartupProbes(JsonArray initContainers, List<string> warnings)
    {
        var held = new List<(JsonObject, int, JsonNode)>();
        foreach (var container in initContainers.OfType<JsonObject>())
        {
            if (!IsNativeSidecar(container) || container[StartupProbe] is not JsonObject probe)
            {
                continue;
            }

            if (probe["exec"] is null)
            {
                warnings.Add($"init container '{container["name"]}' {StartupProbe}: left as it is: in the classic layout the proxy starts after the init containers and could not answer it (the native layout rewrites it).");
            }

            held.Add((container, container.IndexOf(StartupProbe), probe));
            container.Remove(StartupProbe);
        }

        return held;
    }

    private static bool IsNativeSidecar(JsonObject container) =>
        container["restartPolicy"] is JsonValue policy && policy.GetValueKind() == JsonValueKind.String && policy.GetValue<string>() == "Always";

    private static string? Merge(string? first, string? second)
    {
        if (first is null || second is null)
        {
            return first ?? second;
        }

        var merged = (JsonObject)JsonNode.Parse(first)!;
        foreach (var (url, prober) in (JsonObject)JsonNode.Parse(second)!)
        {
            merged[url] = prober?.DeepClone();
        }

        return merged.ToJsonString();
    }
}
