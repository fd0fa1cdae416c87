using k8s;
using Waylay.Control.Sources.Kubernetes;

namespace Waylay.Control.Install;

/// <summary>
/// The cluster install and uninstall talk to, found as kubectl finds it: <c>--kubeconfig</c>, else <c>$KUBECONFIG</c>,
/// else <c>~/.kube/config</c>, else the pod's service account. Unlike KubernetesClient's default it never falls back
/// to http://localhost:8080: with nothing configured it says so. A bad file is a <see cref="KubernetesSourceException"/>
/// naming it and the fix (KubernetesConnection.cs reads it).
/// </summary>
internal static class InstallConnection
{
    public static KubernetesClientConfiguration Configure(string? kubeconfig)
    {
        var path = kubeconfig
            ?? (Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } variable ? variable.Split(':')[0] : null)
            ?? (File.Exists(KubernetesClientConfiguration.KubeConfigDefaultLocation) ? KubernetesClientConfiguration.KubeConfigDefaultLocation : null);
        if (path is null && !KubernetesClientConfiguration.IsInCluster())
        {
            throw new KubernetesSourceException(
                $"no cluster to talk to: no --kubeconfig given, KUBECONFIG is unset, {KubernetesClientConfiguration.KubeConfigDefaultLocation} does not exist " +
                "and this is not a pod; pass --kubeconfig <file>, or run without --apply to print the manifests");
        }

        return KubernetesConnection.Configure(new KubernetesSourceOptions(path));
    }
}
