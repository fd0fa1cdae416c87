using Waylay.Inject.Values;

namespace Waylay.Inject;

/// <summary>
/// Where a pod is being injected: the values, the namespace it will run in (null when a manifest does not say),
/// the workload's name (the proxy's service cluster when the pod has no app label) and whether to re-inject.
/// </summary>
internal sealed record InjectionContext(InjectionValues Values, string? Namespace, string WorkloadName, bool Force = false);
