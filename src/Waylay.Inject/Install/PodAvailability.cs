using k8s.Models;

namespace Waylay.Inject.Install;

/// <summary>
/// What keeps a Deployment of the mesh's own answering while nodes come and go: its replicas spread over nodes, and a
/// PodDisruptionBudget so a drain evicts them one at a time. Shared by the webhook (whose <c>failurePolicy: Fail</c>
/// turns its absence into refused pod creations) and the control plane.
/// </summary>
internal static class PodAvailability
{
    /// <summary>
    /// Preferred, not required, anti-affinity by node: a one-node cluster (kind, minikube) still schedules both replicas,
    /// a larger one puts them on different nodes (Istio's charts do the same for istiod and its gateways).
    /// </summary>
    public static V1Affinity SpreadOverNodes(IDictionary<string, string> selector) => new()
    {
        PodAntiAffinity = new V1PodAntiAffinity
        {
            PreferredDuringSchedulingIgnoredDuringExecution =
            [
                new V1WeightedPodAffinityTerm
                {
                    Weight = 100,
                    PodAffinityTerm = new V1PodAffinityTerm
                    {
                        TopologyKey = "kubernetes.io/hostname",
                        LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(selector) },
                    },
                },
            ],
        },
    };

    /// <summary>At least one replica stays up through voluntary disruptions (drains, upgrades of nodes).</summary>
    public static V1PodDisruptionBudget Budget(string name, string ns, IDictionary<string, string> selector) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = new Dictionary<string, string>(selector) },
        Spec = new V1PodDisruptionBudgetSpec
        {
            MinAvailable = 1,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(selector) },
        },
    };
}
