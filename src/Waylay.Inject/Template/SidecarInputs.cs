using Waylay.Inject.Annotations;

namespace Waylay.Inject.Template;

/// <summary>What the template needs from the pod: its options, identity and the app probes the proxy answers for.</summary>
internal sealed record SidecarInputs(PodOptions Options, string ServiceCluster, string ServiceAccount, string? AppProbers);
