using Waylay.Capture.Apply;
using Waylay.Capture.Plan;
using Waylay.Diagnostics.Rules;
using Waylay.Node.Namespaces;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Explain;

/// <summary>The nat table of a pod's node as it is now (iptables-save -c in the node's namespace): kube-proxy's rules, the CNI bridge plugin's.</summary>
internal static class NodeNat
{
    public static async Task<IReadOnlyList<KernelRule>> ReadAsync(RunPod pod, CancellationToken cancellationToken)
    {
        var node = pod.Run.Nodes().FirstOrDefault(n => n.Index == pod.Record.Node)
            ?? throw new DiagnosticsException($"pod {pod.Name}: its node {pod.Record.Node} has no record in the run's state");
        var netns = new NetworkNamespace(NetworkNamespaces.PathOf(node.Namespace));
        var save = await netns.RunAsync(await KernelRuleset.SaveToolAsync(netns, cancellationToken), ["-c", "-t", "nat"], null, cancellationToken);
        if (!save.Succeeded)
        {
            throw new DiagnosticsException($"node{node.Index}: iptables-save -t nat failed: {save.Diagnostic}");
        }

        return [.. KernelRuleset.Parse("iptables-save", save.StandardOutput).Rules.Where(r => r.Table == NetfilterTable.Nat)];
    }
}
