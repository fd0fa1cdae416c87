using System.Net;

namespace Waylay.Inject.Capture;

/// <summary>Outbound destinations as the capture flags take them: every address (<c>*</c>), none, or CIDR ranges.</summary>
internal sealed record CidrSelection(bool All, IReadOnlyList<IPNetwork> Ranges)
{
    public static readonly CidrSelection Every = new(true, []);
    public static readonly CidrSelection None = new(false, []);

    public static CidrSelection Parse(string text, bool allowWildcard, string field, List<string> errors)
    {
        var trimmed = text.Trim();
        if (trimmed == "*")
        {
            if (allowWildcard)
            {
                return Every;
            }

            errors.Add($"{field}: '*' is not allowed here; list CIDR ranges, e.g. \"10.0.0.0/8,192.168.0.0/16\".");
            return None;
        }

        var ranges = new List<IPNetwork>();
        foreach (var part in trimmed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (TryParseLenient(part, out var network))
            {
                ranges.Add(network);
            }
            else
            {
                errors.Add($"{field}: '{part}' is not a CIDR range; write it as address/prefix, e.g. 10.96.0.0/12.");
            }
        }

        return new CidrSelection(false, ranges);
    }

    /// <summary>Like Go's net.ParseCIDR, which Istio validates with: host bits may be set and are masked off.</summary>
    private static bool TryParseLenient(string text, out IPNetwork network)
    {
        network = default;
        var slash = text.IndexOf('/');
        if (slash <= 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        if (prefix > bytes.Length * 8)
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

    public override string ToString() => All ? "*" : string.Join(',', Ranges.Select(r => r.ToString()));
}
