namespace Waylay.Capture.Options;

/// <summary>A set of TCP ports as istio-iptables takes them: "*" for all, "" for none, else a list.</summary>
public sealed record PortSelection(bool All, IReadOnlyList<ushort> Ports)
{
    public static readonly PortSelection None = new(false, []);
    public static readonly PortSelection Any = new(true, []);

    public bool IsEmpty => !All && Ports.Count == 0;

    public override string ToString() => All ? "*" : string.Join(',', Ports);

    public bool Equals(PortSelection? other) =>
        other is not null && All == other.All && Ports.SequenceEqual(other.Ports);

    public override int GetHashCode() => HashCode.Combine(All, Ports.Count);
}
