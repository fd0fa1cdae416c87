namespace Waylay.Mesh.Networking;

/// <summary>A <c>networking.istio.io</c> DestinationRule: the policy for one host and its named subsets.</summary>
public sealed record DestinationRule(
    string Name,
    string Namespace,
    string Host,
    TrafficPolicy? TrafficPolicy,
    IReadOnlyList<Subset> Subsets)
{
    public string Key => $"{Name}.{Namespace}";

    /// <summary>spec.exportTo: the namespaces that see it (<see cref="ExportTo"/>); empty means every namespace.</summary>
    public IReadOnlyList<string> ExportTo { get; init; } = [];

    public Subset? FindSubset(string name)
    {
        foreach (var subset in Subsets)
        {
            if (subset.Name == name)
            {
                return subset;
            }
        }

        return null;
    }
}

/// <summary>A named group of the host's endpoints, chosen by labels (all must match), with an optional policy of its own.</summary>
public sealed record Subset(string Name, IReadOnlyDictionary<string, string> Labels, TrafficPolicy? TrafficPolicy)
{
    /// <summary>Whether an endpoint with <paramref name="labels"/> belongs to this subset.</summary>
    public bool Selects(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (key, value) in Labels)
        {
            if (!labels.TryGetValue(key, out var own) || own != value)
            {
                return false;
            }
        }

        return true;
    }
}
