using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Waylay.Proxy.Pools;

/// <summary>
/// The host name a request's URI carries to pick its upstream connection pool. SocketsHttpHandler pools connections
/// by the URI's host and port; the URI's host decides nothing else here (<c>:authority</c> is the caller's, kept by
/// <see cref="Http.Http2.TransparentTransformer"/>, and the connect callback dials the address itself). So an endpoint's address
/// as written shares one pool, and <c>p{pool}-{address in hex}</c> gives the same endpoint a pool of its own, which
/// is how <see cref="Http2ConnectionRotation"/> moves requests to a fresh connection.
/// </summary>
internal static class Http2PoolHost
{
    public static string Format(IPAddress address, long pool) =>
        $"p{pool.ToString("x", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(address.GetAddressBytes())}";

    /// <summary>The address to dial for a URI host: an address as written, or one of <see cref="Format"/>.</summary>
    public static bool TryParse(string host, [NotNullWhen(true)] out IPAddress? address)
    {
        var text = host.AsSpan().Trim("[]");
        if (IPAddress.TryParse(text, out address))
        {
            return true;
        }

        var dash = text.IndexOf('-');
        if (text.Length > 1 && text[0] == 'p' && dash > 1 && (text.Length - dash - 1) is 8 or 32)
        {
            try
            {
                address = new IPAddress(Convert.FromHexString(text[(dash + 1)..]));
                return true;
            }
            catch (FormatException)
            {
            }
        }

        address = null;
        return false;
    }
}
