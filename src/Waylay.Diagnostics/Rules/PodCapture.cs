using System.Text.Json.Nodes;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Rules;

/// <summary>
/// The rules a pod should have: its init container's capture flags (and environment, which istio-iptables also reads)
/// as injected and recorded in the pod object, planned by <see cref="RulePlanner"/> exactly as the init container did.
/// </summary>
internal sealed record PodCapture(string Container, IReadOnlyList<string> Argv, CaptureOptions Options, RulePlan Plan)
{
    private static readonly string[] InitNames = ["waylay-init", "istio-init"];

    /// <summary>The pod's capture, or null when it has none (not injected, or not recorded by <c>waylay up</c>).</summary>
    public static PodCapture? Of(RunPod pod)
    {
        if (pod.Manifest?["spec"]?["initContainers"] is not JsonArray inits)
        {
            return null;
        }

        foreach (var init in inits.OfType<JsonObject>())
        {
            var name = init["name"]?.GetValue<string>() ?? "";
            if (!InitNames.Contains(name))
            {
                continue;
            }

            var argv = Strings(init["command"]).Concat(Strings(init["args"])).ToList();
            var env = (init["env"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(e => e["value"] is not null)
                .ToDictionary(e => e["name"]!.GetValue<string>(), e => e["value"]!.GetValue<string>(), StringComparer.Ordinal);
            var (options, errors) = CaptureOptionsParser.Parse(InitContainerFlags.Read(argv), n => env.GetValueOrDefault(n));
            if (options is null)
            {
                throw new DiagnosticsException($"pod {pod.Name}: its init container {name}'s flags do not parse ({string.Join("; ", errors)}); it could not have captured either: see its log {pod.Run.LogFile(pod.Name, name)}");
            }

            return new PodCapture(name, argv, options, RulePlanner.Plan(options));
        }

        return null;
    }

    private static IEnumerable<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(a => a?.GetValue<string>() ?? "") : [];
}
