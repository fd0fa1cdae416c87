using System.Globalization;
using System.Net;

namespace Waylay.Bench.YarpHttp1;

/// <summary>
/// The fixed upstream of each listening port, from <c>PORT=IP:PORT</c> arguments (HAProxy's frontends with one
/// backend server each), kept as YARP's destination prefix so a request costs one array lookup.
/// </summary>
internal sealed class Upstreams
{
    private readonly string?[] _prefixByPort = new string?[ushort.MaxValue + 1];

    public List<int> Ports { get; } = [];

    public string? For(int localPort) => _prefixByPort[localPort];

    public static Upstreams? TryParse(string[] args, out string error)
    {
        var upstreams = new Upstreams();
        error = "";
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0
                || !ushort.TryParse(arg.AsSpan(0, eq), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port == 0
                || !IPEndPoint.TryParse(arg.AsSpan(eq + 1), out var upstream) || upstream.Port == 0)
            {
                error = $"'{arg}' is not LISTEN_PORT=UPSTREAM_IP:PORT (e.g. 15001=10.244.1.3:8080)";
                return null;
            }

            if (upstreams._prefixByPort[port] is not null)
            {
                error = $"port {port} is given twice";
                return null;
            }

            upstreams._prefixByPort[port] = $"http://{upstream}";
            upstreams.Ports.Add(port);
        }

        if (upstreams.Ports.Count == 0)
        {
            error = "no listener given";
            return null;
        }

        return upstreams;
    }
}
