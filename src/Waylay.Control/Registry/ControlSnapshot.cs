using System.Collections.Concurrent;
using Waylay.Control.Registry.Scoping;
using Waylay.Control.Sources;
using Waylay.Discovery;
using Waylay.Discovery.V1;

namespace Waylay.Control.Registry;

/// <summary>
/// The merged mesh, cut into the stream's resource types, each with the version at which it last changed. Versions
/// count rebuilds that changed something (1, 2, 3…). <see cref="Types"/> is the whole mesh (/debug/configz); a proxy
/// receives its <see cref="ViewFor"/>, the part of it in its scope (exportTo, Sidecar), built once per scope.
/// </summary>
internal sealed record ControlSnapshot(long Version, IReadOnlyDictionary<string, TypeSnapshot> Types, IReadOnlyList<SourceSnapshot> Sources, DateTimeOffset ChangedAt)
{
    public static ControlSnapshot Empty { get; } = new(0, new Dictionary<string, TypeSnapshot>(StringComparer.Ordinal), [], DateTimeOffset.MinValue);

    /// <summary>What decides each proxy's view; null (tests building a snapshot by hand) means every proxy sees everything.</summary>
    public MeshScope? Scope { get; init; }

    /// <summary>The views built so far, by scope key; the next rebuild recomputes each so unchanged types keep their version.</summary>
    public ConcurrentDictionary<string, ProxyView> Views { get; } = new(StringComparer.Ordinal);

    /// <summary>Per type, the selections built in this snapshot by content hash: equal views share bytes.</summary>
    internal ConcurrentDictionary<(string Type, UInt128 Hash), TypeSnapshot> Shared { get; } = new();

    /// <summary>The view of the proxy <paramref name="node"/> describes (built on first use in this snapshot).</summary>
    public ProxyView ViewFor(Node node)
    {
        if (Scope is null)
        {
            return Views.GetOrAdd("", _ => new ProxyView("", null, Types));
        }

        var sidecar = Scope.SidecarFor(node);
        var key = $"{node.Namespace}|{sidecar?.Key}";
        return Views.TryGetValue(key, out var view) ? view : Views.GetOrAdd(key, k => BuildView(k, node.Namespace, sidecar, null));
    }

    /// <summary>
    /// One scope's view: each scoped type is the full type cut to the names in view; a type whose content equals the
    /// <paramref name="previous"/> view's keeps that snapshot (and its version), so its proxies are sent nothing.
    /// </summary>
    internal ProxyView BuildView(string key, string ns, SidecarResource? sidecar, ProxyView? previous)
    {
        var names = Scope!.Select(ns, sidecar);
        var types = new Dictionary<string, TypeSnapshot>(StringComparer.Ordinal);
        foreach (var (type, full) in Types)
        {
            IReadOnlyList<string>? chosen = type switch
            {
                TypeUrls.Services or TypeUrls.Endpoints => names.Services,
                TypeUrls.VirtualServices => names.VirtualServices,
                TypeUrls.DestinationRules => names.DestinationRules,
                _ => null,
            };
            if (chosen is null || !full.ByName || chosen.Count == full.Resources.Count)
            {
                // Not scoped, or everything is in view: the shared whole set, unless it is unchanged for this view.
                types[type] = previous?.Types.GetValueOrDefault(type) is { } old && old.Hash == full.Hash ? old : full;
                continue;
            }

            var hash = full.HashOf(chosen);
            types[type] = previous?.Types.GetValueOrDefault(type) is { } same && same.Hash == hash
                ? same
                : Shared.GetOrAdd((type, hash), _ => full.Select(chosen, hash, Version));
        }

        return new ProxyView(key, sidecar?.Key, types);
    }
}
