using System.Net;

namespace Waylay.Capture.Options;

/// <summary>A set of address ranges as istio-iptables takes them: "*" for all, "" for none, else CIDRs of both families.</summary>
public sealed record CidrSelection(bool All, IReadOnlyList<IPNetwork> Networks)
{
    public static readonly CidrSelection None = new(false, []);
    public static readonly CidrSelection Any = new(true, []);

    public bool IsEmpty => !All && Networks.Count == 0;

    public IEnumerable<IPNetwork> Of(IpFamily family) =>
        Networks.Where(n => n.BaseAddress.AddressFamily == family.AddressFamily());

    public override string ToString() => All ? "*" : string.Join(',', Networks);

    public bool Equals(CidrSelection? other) =>
        other is not null && All == other.All && Networks.SequenceEqual(other.Networks);

    public override int GetHashCode() => HashCode.Combine(All, Networks.Count);
}
