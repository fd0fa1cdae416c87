using System.Globalization;
using System.Net;

namespace Waylay.Inject.Tests.Capture;

/// <summary>
/// istio-iptables' flags, written here from its documentation and independent of src/Waylay.Capture: parses
/// an init container's args the way the capture command must, and fails on anything it would reject.
/// </summary>
internal static class IstioIptablesFlags
{
    private enum Kind { Port, Id, Mode, PortsOrAll, Ports, CidrsOrAll, Cidrs, Text }

    private static readonly (string Short, string Long, Kind Kind)[] Table =
    [
        ("-p", "--envoy-port", Kind.Port),
        ("-z", "--inbound-capture-port", Kind.Port),
        ("-u", "--proxy-uid", Kind.Id),
        ("-g", "--proxy-gid", Kind.Id),
        ("-m", "--istio-inbound-interception-mode", Kind.Mode),
        ("-b", "--istio-inbound-ports", Kind.PortsOrAll),
        ("-d", "--istio-local-exclude-ports", Kind.Ports),
        ("-i", "--istio-service-cidr", Kind.CidrsOrAll),
        ("-x", "--istio-service-exclude-cidr", Kind.Cidrs),
        ("-q", "--istio-local-outbound-ports-include", Kind.Ports),
        ("-o", "--istio-local-outbound-ports-exclude", Kind.Ports),
        ("-k", "--kube-virt-interfaces", Kind.Text),
        ("-c", "--istio-exclude-interfaces", Kind.Text),
    ];

    /// <summary>Parses <c>capture -p 15001 …</c> into short flag → value; throws naming the first problem.</summary>
    public static Dictionary<string, string> Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || args[0] != "capture")
        {
            throw new FormatException("the init container must run 'waylay capture'");
        }

        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i += 2)
        {
            var entry = Table.FirstOrDefault(f => f.Short == args[i] || f.Long == args[i]);
            if (entry.Short is null)
            {
                throw new FormatException($"unknown flag {args[i]}");
            }

            if (i + 1 >= args.Count)
            {
                throw new FormatException($"{args[i]} has no value");
            }

            var value = args[i + 1];
            if (!Valid(entry.Kind, value))
            {
                throw new FormatException($"{args[i]} '{value}' is not a valid {entry.Kind}");
            }

            if (!flags.TryAdd(entry.Short, value))
            {
                throw new FormatException($"{args[i]} given twice");
            }
        }

        return flags;
    }

    public static IReadOnlyList<ushort> Ports(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => ushort.Parse(p, CultureInfo.InvariantCulture))];

    private static bool Valid(Kind kind, string value) => kind switch
    {
        Kind.Port => ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0,
        Kind.Id => uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
        Kind.Mode => value is "REDIRECT" or "TPROXY",
        Kind.PortsOrAll => value == "*" || PortList(value),
        Kind.Ports => PortList(value),
        Kind.CidrsOrAll => value == "*" || CidrList(value),
        Kind.Cidrs => CidrList(value),
        _ => true,
    };

    private static bool PortList(string value) => value.Length == 0
        || value.Split(',').All(p => ushort.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0);

    private static bool CidrList(string value) => value.Length == 0 || value.Split(',').All(c => IPNetwork.TryParse(c, out _));
}
