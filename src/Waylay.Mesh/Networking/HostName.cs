namespace Waylay.Mesh.Networking;

/// <summary>
/// Istio's host names: a name without a dot is short and resolves in the resource's namespace
/// (<c>reviews</c> in <c>bookinfo</c> → <c>reviews.bookinfo.svc.cluster.local</c>); a name with a dot is taken as
/// written, exactly as Istio's <c>ResolveShortnameToFQDN</c> does (so <c>reviews.bookinfo</c> is not expanded —
/// a known Istio pitfall we keep rather than surprise users moving between the two).
/// </summary>
public static class HostName
{
    public const string DefaultDomainSuffix = "cluster.local";

    public static string Resolve(string host, string ns, string domainSuffix = DefaultDomainSuffix)
    {
        var lower = host.ToLowerInvariant();
        return lower.StartsWith('*') || lower.Contains('.') ? lower : $"{lower}.{ns}.svc.{domainSuffix}";
    }

    /// <summary>The name a service answers to in routing: <c>name.namespace.svc.cluster.local</c>.</summary>
    public static string ForService(string name, string ns, string domainSuffix = DefaultDomainSuffix) =>
        $"{name}.{ns}.svc.{domainSuffix}".ToLowerInvariant();

    /// <summary>A DNS name (RFC 1123 labels), optionally starting with the wildcard label <c>*</c>.</summary>
    public static bool IsValid(string host, bool allowWildcard)
    {
        if (host.Length is 0 or > 253)
        {
            return false;
        }

        var labels = host.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label == "*" && i == 0 && allowWildcard)
            {
                continue;
            }

            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Whether <paramref name="pattern"/> (a host or <c>*.suffix</c>) covers <paramref name="host"/>.</summary>
    public static bool Covers(string pattern, string host) =>
        pattern.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(pattern.AsSpan(1), StringComparison.Ordinal) && host.Length > pattern.Length - 1
            : string.Equals(pattern, host, StringComparison.Ordinal);
}
