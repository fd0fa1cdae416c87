using System.Globalization;

namespace Waylay.Samples.Bookinfo.Peers;

/// <summary>
/// Where the peers are: <c>http://{NAME}_HOSTNAME{.SERVICES_DOMAIN}:9080</c>, exactly as Istio's Bookinfo builds them
/// (details, reviews and ratings by their service names), plus Waylay's <c>BOOKINFO_{NAME}_PORT</c> so tests can
/// run every role on loopback without DNS. The port variables are prefixed on purpose: Kubernetes itself sets
/// <c>DETAILS_PORT=tcp://…</c> in every pod of a namespace that has a details Service.
/// </summary>
internal sealed record PeerAddresses(Uri Details, Uri Reviews, Uri Ratings)
{
    public const ushort DefaultPort = 9080;

    /// <summary>Reads the peers from the environment; every error at once, each naming the variable and the fix.</summary>
    public static PeerAddresses FromEnvironment(Func<string, string?> environment, List<string> errors)
    {
        var domain = environment("SERVICES_DOMAIN") is { Length: > 0 } d ? "." + d : "";
        return new PeerAddresses(
            Read("details", environment, domain, errors),
            Read("reviews", environment, domain, errors),
            Read("ratings", environment, domain, errors));
    }

    private static Uri Read(string name, Func<string, string?> environment, string domain, List<string> errors)
    {
        var upper = name.ToUpperInvariant();
        var host = (environment($"{upper}_HOSTNAME") is { Length: > 0 } h ? h : name) + domain;
        var port = DefaultPort;
        if (environment($"BOOKINFO_{upper}_PORT") is { Length: > 0 } text
            && (!ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port == 0))
        {
            errors.Add($"BOOKINFO_{upper}_PORT='{text}' is not a port: give a number from 1 to 65535 (default {DefaultPort})");
            port = DefaultPort;
        }

        // An IPv6 literal needs brackets in a URL; a name or IPv4 address is taken as it is.
        var authority = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
        if (!Uri.TryCreate($"http://{authority}:{port}/", UriKind.Absolute, out var uri))
        {
            errors.Add($"{upper}_HOSTNAME='{host}' does not make a URL: give a host name or an IP address");
            return new Uri($"http://{name}:{DefaultPort}/");
        }

        return uri;
    }
}
