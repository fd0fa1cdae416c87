namespace Waylay.Mesh.Networking;

/// <summary>
/// Istio's <c>exportTo</c> (a Service's <c>networking.istio.io/exportTo</c> annotation, a VirtualService's or
/// DestinationRule's <c>spec.exportTo</c>): the namespaces whose proxies see the resource. <c>*</c> is every namespace,
/// <c>.</c> the resource's own, <c>~</c> none, any other entry a namespace name. Absent (empty) means every namespace,
/// Istio's default (meshConfig.defaultServiceExportTo and friends unset).
/// </summary>
public static class ExportTo
{
    /// <summary>Whether a proxy in <paramref name="proxyNamespace"/> sees a resource of <paramref name="ownNamespace"/>.</summary>
    public static bool Visible(IReadOnlyList<string> exportTo, string ownNamespace, string proxyNamespace)
    {
        if (exportTo.Count == 0)
        {
            return true;
        }

        foreach (var entry in exportTo)
        {
            if (entry == "*" || (entry == "." && ownNamespace == proxyNamespace) || entry == proxyNamespace)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The problem with one entry, or null: <c>*</c>, <c>.</c>, <c>~</c> or a namespace name (a DNS label).</summary>
    public static string? Problem(string entry) =>
        entry is "*" or "." or "~" || IsNamespaceName(entry)
            ? null
            : $"'{entry}' is not '*' (every namespace), '.' (this namespace), '~' (none) or a namespace name";

    /// <summary>A Kubernetes namespace name: one lowercase RFC 1123 label.</summary>
    public static bool IsNamespaceName(string text) =>
        HostName.IsValid(text, allowWildcard: false) && !text.Contains('.') && text == text.ToLowerInvariant();

    /// <summary>Reads the annotation's comma-separated list, as Istio does (spaces around entries ignored).</summary>
    public static IReadOnlyList<string> ParseAnnotation(string? value) =>
        value is null ? [] : [.. value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
}
