using k8s;
using k8s.Exceptions;

namespace Waylay.Control.Sources.Kubernetes;

/// <summary>
/// Makes KubernetesClient's configuration from <c>--kubeconfig</c> (its context, server, CA and credentials) or,
/// without one, from inside the cluster (the pod's service-account token and CA). Every failure becomes a
/// <see cref="KubernetesSourceException"/> naming the file and the fix.
/// </summary>
internal static class KubernetesConnection
{
    public static KubernetesClientConfiguration Configure(KubernetesSourceOptions options)
    {
        if (options.Kubeconfig is null)
        {
            if (!KubernetesClientConfiguration.IsInCluster())
            {
                throw new KubernetesSourceException(
                    "no --kubeconfig given and not running in a cluster (KUBERNETES_SERVICE_HOST is unset, or the service-account token " +
                    "under /var/run/secrets/kubernetes.io/serviceaccount is missing): pass --kubeconfig <file>, or run waylay control in a pod");
            }

            try
            {
                return KubernetesClientConfiguration.InClusterConfig();
            }
            catch (Exception e) when (e is KubeConfigException or IOException or UnauthorizedAccessException)
            {
                throw new KubernetesSourceException($"the in-cluster configuration cannot be read: {e.Message}; check the pod's service account token is mounted", e);
            }
        }

        var path = Path.GetFullPath(options.Kubeconfig);
        if (!File.Exists(path))
        {
            throw new KubernetesSourceException($"--kubeconfig {path}: the file does not exist; pass the path of a kubeconfig (e.g. ~/.kube/config)");
        }

        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(path, options.Context);
        }
        catch (Exception e) when (e is KubeConfigException or IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException or ArgumentException or FormatException or InvalidOperationException)
        {
            var detail = (e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message).TrimEnd('.');
            throw new KubernetesSourceException(
                $"--kubeconfig {path}: {detail}; fix the file: its current-context must name a context whose cluster has a server " +
                $"and whose user has credentials (check it with `kubectl --kubeconfig {path} config view`)", e);
        }
    }
}

/// <summary>The Kubernetes source cannot start: the message names the file or setting and the fix.</summary>
internal sealed class KubernetesSourceException(string message, Exception? inner = null) : Exception(message, inner);
