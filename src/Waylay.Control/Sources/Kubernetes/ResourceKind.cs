using k8s;

namespace Waylay.Control.Sources.Kubernetes;

/// <summary>
/// One kind as the reflector sees it, in one scope (a namespace, or all): how to list it, how to watch it from a
/// resourceVersion, and how to read an object's identity. Built by <see cref="KubernetesApi"/> from KubernetesClient's
/// generated calls, so the requests on the wire are exactly the client's.
/// </summary>
/// <param name="Namespace">The namespace watched, or null for all namespaces.</param>
internal sealed record ResourceKind<T>(
    string Kind,
    string? Namespace,
    ListCall<T> List,
    WatchCall<T> Watch,
    Func<T, ObjectMeta> Meta)
{
    public string Scope => Namespace ?? "*";
}

/// <summary>A full list: the items and the list's resourceVersion, where the watch that follows starts.</summary>
internal sealed record ResourceList<T>(IReadOnlyList<T> Items, string ResourceVersion);

/// <summary>The API server's identity of an object: its store key is "namespace/name".</summary>
internal readonly record struct ObjectMeta(string Namespace, string Name, string? ResourceVersion)
{
    public string Key => $"{Namespace}/{Name}";
}

internal delegate Task<ResourceList<T>> ListCall<T>(CancellationToken cancellationToken);

/// <summary>
/// Opens a watch (<c>?watch=true&amp;resourceVersion=…&amp;allowWatchBookmarks=true&amp;timeoutSeconds=…</c>).
/// <paramref name="onError"/> receives ERROR events (as <see cref="KubernetesException"/>) and unreadable lines.
/// </summary>
internal delegate IAsyncEnumerable<(WatchEventKind Type, T Object)> WatchCall<T>(
    string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken);
