namespace Waylay.Inject;

/// <summary>
/// The name of the workload a pod belongs to, as the webhook sees only the pod: its name, or its generateName
/// without the trailing '-' and, for a Deployment's pods, without the ReplicaSet's pod-template-hash
/// (Istio's GetDeployMetaFromPod does the same).
/// </summary>
internal static class WorkloadName
{
    public static string? FromGenerateName(string? generateName, string? podTemplateHash)
    {
        if (string.IsNullOrEmpty(generateName))
        {
            return null;
        }

        var name = generateName.TrimEnd('-');
        if (!string.IsNullOrEmpty(podTemplateHash) && name.EndsWith("-" + podTemplateHash, StringComparison.Ordinal))
        {
            name = name[..^(podTemplateHash.Length + 1)];
        }

        return name;
    }
}
