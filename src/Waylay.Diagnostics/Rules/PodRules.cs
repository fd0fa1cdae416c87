using Waylay.Diagnostics.Pods;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Rules;

/// <summary>
/// <c>waylay rules POD</c>: the pod's nat and mangle rules (both families; iptables or native nftables) with their counters as the kernel holds them, each with the
/// reason of the plan rule it is (the pod's injected capture flags, planned again), or "not Waylay's".
/// </summary>
internal sealed record PodRules(RunPod Pod, PodCapture? Capture, KernelRuleset Kernel, IReadOnlyList<AnnotatedRule> Rules)
{
    public static async Task<PodRules> ReadAsync(RunPod pod, CancellationToken cancellationToken)
    {
        var capture = PodCapture.Of(pod);
        var kernel = await KernelRuleset.ReadAsync(new PodNetwork(pod), capture, cancellationToken);
        return new PodRules(pod, capture, kernel, RuleAnnotator.Annotate(kernel, capture?.Plan));
    }

    /// <summary>The packets and bytes each rule counted since <paramref name="before"/> (a rule new since then counts from zero).</summary>
    public IReadOnlyList<(AnnotatedRule Rule, ulong Packets, ulong Bytes)> Since(PodRules before)
    {
        var earlier = before.Kernel.Rules.ToDictionary(r => (r.Where, r.Chain, r.Number, r.Text), r => r);
        return [.. Rules.Select(r => earlier.TryGetValue((r.Kernel.Where, r.Kernel.Chain, r.Kernel.Number, r.Kernel.Text), out var e)
            ? (r, r.Kernel.Packets - Math.Min(e.Packets, r.Kernel.Packets), r.Kernel.Bytes - Math.Min(e.Bytes, r.Kernel.Bytes))
            : (r, r.Kernel.Packets, r.Kernel.Bytes))];
    }

    /// <summary>The plan against the kernel; the pod must have a capture to compare with.</summary>
    public IReadOnlyList<DiffLine> Diff() =>
        Capture is { } capture
            ? RuleDiff.Compare(capture.Plan, Kernel)
            : throw new DiagnosticsException($"pod {Pod.Name}: no capture to compare with: it has no waylay-init/istio-init container in its recorded object (not injected, or started by something other than waylay up)");
}
