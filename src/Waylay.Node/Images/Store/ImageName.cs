using System.Net;
using System.Text.RegularExpressions;

namespace Waylay.Node.Images.Store;

/// <summary>
/// A docker-style image reference taken apart (distribution's reference grammar, as the kubelet and containerd read
/// it): <c>[REGISTRY[:PORT]/]REPOSITORY[:TAG][@sha256:DIGEST]</c>, Docker Hub's defaults filled in by
/// <see cref="ImageReference.Normalize"/>. A digest pins the image: with both, the tag is dropped, as containerd does.
/// </summary>
internal sealed partial record ImageName(string Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>The name the store keeps it under (<c>docker.io/library/busybox:latest</c>, <c>host:5000/app@sha256:…</c>).</summary>
    public string Normalized => $"{Registry}/{Repository}{(Digest is { } digest ? "@" + digest : ":" + Tag)}";

    /// <summary>Pinned by digest: what is stored under it never changes, so it is never refreshed.</summary>
    public bool Pinned => Digest is not null;

    /// <summary>
    /// containerd's rule for plain HTTP: a registry on localhost or a loopback address may answer without TLS; any
    /// other needs TLS unless configured insecure (<c>--insecure-registry</c>, registries.conf).
    /// </summary>
    public bool OnLoopback
    {
        get
        {
            var host = Registry;
            if (host.StartsWith('['))
            {
                host = host[1..host.IndexOf(']', StringComparison.Ordinal)];
            }
            else if (host.LastIndexOf(':') is var colon and > 0)
            {
                host = host[..colon];
            }

            return host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
        }
    }

    public static ImageName Parse(string reference)
    {
        var match = Grammar().Match(ImageReference.Normalize(reference));
        if (!match.Success)
        {
            throw new ImageStoreException($"image '{reference}': not an image reference; write it as [REGISTRY[:PORT]/]REPOSITORY[:TAG][@sha256:DIGEST], e.g. 127.0.0.1:5000/app:1 or busybox@sha256:<64 hex digits> (repository names are lower case)");
        }

        return new ImageName(
            match.Groups["registry"].Value,
            match.Groups["repository"].Value,
            match.Groups["tag"].Success ? match.Groups["tag"].Value : null,
            match.Groups["digest"].Success ? match.Groups["digest"].Value : null);
    }

    // distribution/reference's grammar (regexp.go): a domain (host names, IPv4, [IPv6], an optional port), path
    // components of lower-case letters and digits joined by '.', '_', '__' or dashes, a tag of at most 128 characters.
    [GeneratedRegex(@"^(?<registry>(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?)/(?<repository>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[0-9a-f]{64}))?$")]
    private static partial Regex Grammar();
}
