namespace Waylay.Node.Images.Store;

/// <summary>
/// An image reference in the form a container runtime stores it (containerd's and the kubelet's normalisation):
/// a bare name is Docker Hub's library (<c>busybox</c> → <c>docker.io/library/busybox:latest</c>), a first component
/// without a dot, a colon or <c>localhost</c> is a Docker Hub user (<c>waylay/waylay</c> →
/// <c>docker.io/waylay/waylay:latest</c>), and no tag nor digest means <c>:latest</c>.
/// </summary>
internal static class ImageReference
{
    public static string Normalize(string reference)
    {
        var name = reference.Trim();
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            name = "docker.io/library/" + name;
        }
        else
        {
            var first = name[..slash];
            if (!first.Contains('.', StringComparison.Ordinal) && !first.Contains(':', StringComparison.Ordinal) && first != "localhost")
            {
                name = "docker.io/" + name;
            }
        }

        var lastSlash = name.LastIndexOf('/');
        var tagged = name.IndexOf(':', lastSlash + 1) >= 0 || name.Contains('@', StringComparison.Ordinal);
        return tagged ? name : name + ":latest";
    }
}
