namespace Waylay.Mesh.Networking;

/// <summary>Every Gateway, VirtualService and DestinationRule the proxies route with, validated as a whole.</summary>
public sealed record NetworkingConfig(IReadOnlyList<VirtualService> VirtualServices, IReadOnlyList<DestinationRule> DestinationRules)
{
    public static NetworkingConfig Empty { get; } = new([], []);

    /// <summary>The Gateways: only a gateway proxy (<c>waylay proxy --gateway</c>) acts on them; sidecars ignore them.</summary>
    public IReadOnlyList<Gateway> Gateways { get; init; } = [];
}
