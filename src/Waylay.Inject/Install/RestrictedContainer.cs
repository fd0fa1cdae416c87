using k8s.Models;

namespace Waylay.Inject.Install;

/// <summary>
/// The security context of the mesh's own containers (the webhook, the control plane): what Kubernetes' "restricted"
/// Pod Security Standard asks, as uid/gid 65532 (the distroless "nonroot" user the image's files are readable by), on
/// a read-only root, so they install into namespaces that enforce it.
/// </summary>
internal static class RestrictedContainer
{
    public const long User = 65532;

    public static V1SecurityContext SecurityContext() => new()
    {
        AllowPrivilegeEscalation = false,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
        ReadOnlyRootFilesystem = true,
        RunAsNonRoot = true,
        RunAsUser = User,
        RunAsGroup = User,
    };
}
