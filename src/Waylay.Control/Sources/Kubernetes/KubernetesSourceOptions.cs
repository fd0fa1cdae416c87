namespace Waylay.Control.Sources.Kubernetes;

/// <summary>
/// How the Kubernetes source reaches the API server and what it watches.
/// </summary>
/// <param name="Kubeconfig">A kubeconfig file (<c>--kubeconfig</c>); null means in-cluster (the pod's service account).</param>
/// <param name="Context">The kubeconfig context to use; null means its current-context.</param>
/// <param name="Namespaces">The namespaces to watch; empty means all (one cluster-wide watch per kind).</param>
internal sealed record KubernetesSourceOptions(string? Kubeconfig = null, string? Context = null, IReadOnlyList<string>? Namespaces = null)
{
    /// <summary>The server ends a watch after a random time in [MinWatchTimeout, 2×MinWatchTimeout] (client-go: 5 min).</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A full relist this often (a consistent read that repairs any missed event); zero turns it off.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>client-go's reflector back-off: 800 ms doubling to 30 s, jittered by up to 100%.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(800);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public double BackoffJitter { get; init; } = 1.0;

    /// <summary>The scopes to watch: null for all namespaces, else each namespace.</summary>
    public IReadOnlyList<string?> Scopes => Namespaces is { Count: > 0 } ns ? [.. ns.Distinct(StringComparer.Ordinal)] : [null];
}
