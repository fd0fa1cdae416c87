using System.Buffers;

namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// <c>uri-host [ ":" port ]</c> (RFC 3986 §3.2.2, RFC 9110 §7.2) for Host, absolute-form and CONNECT targets.
/// Userinfo (<c>user@host</c>) is refused, as RFC 9110 §4.2.4 asks of recipients.
/// </summary>
internal static class Authority
{
    /// <summary>
    /// A reg-name's bytes: unreserved / pct-encoded / sub-delims; '%' is checked loosely (a stray '%' cannot reframe
    /// anything). One vectorized scan: every request's Host goes through here.
    /// </summary>
    private static readonly SearchValues<byte> HostBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%!$&'()*+,;="u8);

    public static bool IsValid(ReadOnlySpan<byte> authority, bool requirePort)
    {
        if (authority.IsEmpty)
        {
            return false;
        }

        ReadOnlySpan<byte> host;
        ReadOnlySpan<byte> port;
        if (authority[0] == (byte)'[')
        {
            var close = authority.IndexOf((byte)']');
            if (close < 2)
            {
                return false;
            }

            foreach (var b in authority[1..close])
            {
                if (!(char.IsAsciiHexDigit((char)b) || b is (byte)':' or (byte)'.'))
                {
                    return false;
                }
            }

            var after = authority[(close + 1)..];
            if (!after.IsEmpty && after[0] != (byte)':')
            {
                return false;
            }

            host = authority[..(close + 1)];
            port = after.IsEmpty ? default : after[1..];
            if (after.IsEmpty && requirePort)
            {
                return false;
            }
        }
        else
        {
            var colon = authority.LastIndexOf((byte)':');
            host = colon < 0 ? authority : authority[..colon];
            port = colon < 0 ? default : authority[(colon + 1)..];
            if (colon < 0 && requirePort)
            {
                return false;
            }

            if (host.IsEmpty)
            {
                return false;
            }

            if (host.IndexOfAnyExcept(HostBytes) >= 0)
            {
                return false;
            }
        }

        if (requirePort && port.IsEmpty)
        {
            return false;
        }

        if (port.Length > 5)
        {
            return false;
        }

        var value = 0;
        foreach (var b in port)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return value <= 65535;
    }
}
