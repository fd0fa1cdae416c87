namespace Waylay.Node.Images.Store;

/// <summary>
/// An image reference in the form a container runtime stores it (containerd's and the kubelet's normalisation):
/// a bare name is Docker Hub's library (<c>busybox</c> → <c>docker.io/library/busybox:latest</c>), a first component
/// without a dot, a colon or <c>localhost</c> is a Docker Hub user (<c>waylay/waylay</c> →
/// <c>docker.io/waylay/waylay:latest</c>), no tag nor digest means <c>:latest</c>, and
/// a digest pins it (<c>app:1@sha256:…</c> → <c>app@sha256:…</c>).
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

        var at = name.IndexOf('@', StringComparison.Ordinal);
        var lastSlash = name.LastIndexOf('/', at < 0 ? name.Length - 1 : at);
        var tag = name.IndexOf(':', lastSlash + 1);
        if (at >= 0)
        {
            // Both a tag and a digest: the digest decides (containerd's and the kubelet's reading), the tag is dropped.
            return tag >= 0 && tag < at ? name[..tag] + name[at..] : name;
        }

        return tag >= 0 ? name : name + ":latest";
    }
}
