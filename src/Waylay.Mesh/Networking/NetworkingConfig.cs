namespace Waylay.Mesh.Networking;

/// <summary>Every VirtualService and DestinationRule the proxy routes with, validated as a whole.</summary>
public sealed record NetworkingConfig(IReadOnlyList<VirtualService> VirtualServices, IReadOnlyList<DestinationRule> DestinationRules)
{
    public static NetworkingConfig Empty { get; } = new([], []);
}
