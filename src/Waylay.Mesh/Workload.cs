using System.Net;

namespace Waylay.Mesh;

/// <summary>A running instance (a pod): where it is, who it runs as and the labels services select it by.</summary>
public sealed record Workload(
    string Name,
    string Namespace,
    IReadOnlyList<IPAddress> Addresses,
    IReadOnlyDictionary<string, string> Labels,
    string? ServiceAccount = null);
