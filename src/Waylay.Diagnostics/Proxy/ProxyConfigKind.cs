namespace Waylay.Diagnostics.Proxy;

/// <summary>What <c>waylay proxy-config</c> shows: one of Envoy's four views of a sidecar's config, or all of them.</summary>
internal enum ProxyConfigKind
{
    Listeners,
    Routes,
    Clusters,
    Endpoints,
    All,
}

/// <summary>A table to print: a title, istioctl's columns and the rows (plain text; the CLI renders and escapes).</summary>
internal sealed record ConfigTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);
