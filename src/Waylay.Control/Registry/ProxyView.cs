namespace Waylay.Control.Registry;

/// <summary>
/// What the proxies of one scope (namespace + the Sidecar that applies) receive: per type the resources in view, each
/// type with the version at which this view's content last changed. Views with equal content share one
/// <see cref="TypeSnapshot"/> (and so one set of encoded bytes), whatever their namespace.
/// </summary>
/// <param name="Key">"namespace|sidecar namespace/name" (empty after the bar without a Sidecar).</param>
/// <param name="Sidecar">The Sidecar applied, "namespace/name", or null (every exported service is in view).</param>
internal sealed record ProxyView(string Key, string? Sidecar, IReadOnlyDictionary<string, TypeSnapshot> Types)
{
    /// <summary>The newest version of any of its types: the version a proxy of this view runs when it is in sync.</summary>
    public long Version => Types.Count == 0 ? 0 : Types.Values.Max(t => t.Version);
}
