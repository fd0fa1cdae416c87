using System.Globalization;
using System.Net;

namespace Waylay.Capture.Options;

/// <summary>
/// Address ranges as istio-iptables and Istio's annotations take them: "*" for all, "" for none, else CIDRs of both
/// families. The one parser for capture flags and the injector's annotations.
/// </summary>
public sealed record CidrSelection(bool All, IReadOnlyList<IPNetwork> Networks)
{
    public static readonly CidrSelection None = new(false, []);
    public static readonly CidrSelection Any = new(true, []);

    public bool IsEmpty => !All && Networks.Count == 0;

    public IEnumerable<IPNetwork> Of(IpFamily family) =>
        Networks.Where(n => n.BaseAddress.AddressFamily == family.AddressFamily());

    /// <param name="bareAddressIsHost">
    /// Whether "10.0.0.1" means 10.0.0.1/32, as iptables' -d reads it (capture flags); Istio's annotation validation
    /// (net.ParseCIDR) refuses it, so the injector passes false.
    /// </param>
    public static CidrSelection Parse(string? text, bool allowWildcard, bool bareAddressIsHost, ICollection<SelectionProblem> problems)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed == "*")
        {
            if (allowWildcard)
            {
                return Any;
            }

            problems.Add(new("*", "is not allowed here (it would exclude everything); list CIDR ranges, e.g. 10.0.0.0/8"));
            return None;
        }

        var networks = new List<IPNetwork>();
        foreach (var item in trimmed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (item == "*")
            {
                problems.Add(new(item, "must stand alone, not inside a list"));
            }
            else if (TryParseNetwork(item, bareAddressIsHost, out var network))
            {
                networks.Add(network);
            }
            else
            {
                problems.Add(new(item, "is not a CIDR range; write it as address/prefix, e.g. 10.96.0.0/12 or fd00::/8"));
            }
        }

        return new CidrSelection(false, networks);
    }

    /// <summary>
    /// Parses address/prefix, clearing host bits as iptables and Go's net.ParseCIDR do ("10.0.0.1/8" is 10.0.0.0/8),
    /// so what is written is what iptables-save reads back.
    /// </summary>
    public static bool TryParseNetwork(string text, bool bareAddressIsHost, out IPNetwork network)
    {
        network = default;
        var slash = text.IndexOf('/');
        if (slash < 0 && bareAddressIsHost)
        {
            text += text.Contains(':') ? "/128" : "/32";
            slash = text.IndexOf('/');
        }

        if (slash <= 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        if (prefix > bytes.Length * 8 || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0))
        {
            return false;
        }

        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }

    public override string ToString() => All ? "*" : string.Join(',', Networks);

    public bool Equals(CidrSelection? other) =>
        other is not null && All == other.All && Networks.SequenceEqual(other.Networks);

    public override int GetHashCode() => HashCode.Combine(All, Networks.Count);
}
