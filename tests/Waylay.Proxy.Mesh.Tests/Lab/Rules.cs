namespace Waylay.Proxy.Mesh.Tests.Lab;

/// <summary>Istio networking YAML the tests share, as an operator would write it (short host names, namespace default).</summary>
internal static class Rules
{
    /// <summary>A DestinationRule with subsets v1…vN by the endpoints' <c>version</c> label, plus an optional trafficPolicy block.</summary>
    public static string Subsets(int versions = 3, string apiVersion = "networking.istio.io/v1beta1", string trafficPolicy = "") =>
        $"""
        apiVersion: {apiVersion}
        kind: DestinationRule
        metadata:
          name: reviews
          namespace: default
        spec:
          host: reviews
        {trafficPolicy}
          subsets:
        {string.Concat(Enumerable.Range(1, versions).Select(n => $"  - {{name: v{n}, labels: {{version: v{n}}}}}\n"))}
        """;

    /// <summary>A VirtualService for reviews whose only route splits by weight over the subsets (v1 first).</summary>
    public static string Split(string apiVersion, params int[] weights) =>
        $"""
        apiVersion: {apiVersion}
        kind: VirtualService
        metadata:
          name: reviews
          namespace: default
        spec:
          hosts: [reviews]
          http:
          - route:
        {Destinations(weights)}
        """;

    public static string Destinations(int[] weights) =>
        string.Concat(weights.Select((w, i) => $"    - destination: {{host: reviews, subset: v{i + 1}}}\n      weight: {w}\n"));

    public static string Join(params string[] documents) => string.Join("\n---\n", documents);
}
