using System.Globalization;

namespace Waylay.Capture.Options;

/// <summary>
/// Turns istio-iptables-style flag values into <see cref="CaptureOptions"/>, reporting every error at once. Lists are
/// comma separated and empty items are ignored, so the seed's "-b 9080," and "-x ''" mean what Istio made of them.
/// Unlike istio-iptables, a malformed CIDR is an error rather than silently skipped: a typo in an exclusion must not
/// quietly capture traffic the user meant to leave alone.
/// </summary>
public static class CaptureOptionsParser
{
    public static (CaptureOptions? Options, IReadOnlyList<CaptureOptionError> Errors) Parse(
        CaptureArguments args, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var errors = new List<CaptureOptionError>();
        string? Or(string? value, string variable) => value ?? environment(variable);

        var defaults = new CaptureOptions();
        var uids = ParseIds("-u/--proxy-uid", args.ProxyUid, defaults.ProxyUids, errors);
        var options = new CaptureOptions
        {
            OutboundCapturePort = ParsePort("-p/--envoy-port", Or(args.OutboundCapturePort, "ENVOY_PORT"), defaults.OutboundCapturePort, errors),
            InboundCapturePort = ParsePort("-z/--inbound-capture-port", Or(args.InboundCapturePort, "INBOUND_CAPTURE_PORT"), defaults.InboundCapturePort, errors),
            ProxyUids = uids,
            ProxyGids = ParseIds("-g/--proxy-gid", args.ProxyGid, uids, errors),
            Mode = ParseMode(Or(args.Mode, "ISTIO_INBOUND_INTERCEPTION_MODE"), errors),
            InboundPorts = ParsePortSelection("-b/--istio-inbound-ports", Or(args.InboundPorts, "ISTIO_INBOUND_PORTS"), errors),
            InboundPortsExclude = ParsePorts("-d/--istio-local-exclude-ports", Or(args.InboundPortsExclude, "ISTIO_LOCAL_EXCLUDE_PORTS"), errors),
            OutboundCidrs = ParseCidrSelection("-i/--istio-service-cidr", Or(args.OutboundCidrs, "ISTIO_SERVICE_CIDR"), errors),
            OutboundCidrsExclude = ParseCidrSelection("-x/--istio-service-exclude-cidr", Or(args.OutboundCidrsExclude, "ISTIO_SERVICE_EXCLUDE_CIDR"), errors, allowWildcard: false).Networks,
            OutboundPortsInclude = ParsePorts("-q/--istio-local-outbound-ports-include", Or(args.OutboundPortsInclude, "ISTIO_LOCAL_OUTBOUND_PORTS_INCLUDE"), errors),
            OutboundPortsExclude = ParsePorts("-o/--istio-local-outbound-ports-exclude", Or(args.OutboundPortsExclude, "ISTIO_LOCAL_OUTBOUND_PORTS_EXCLUDE"), errors),
            VirtualInterfaces = ParseInterfaces("-k/--kube-virt-interfaces", Or(args.VirtualInterfaces, "ISTIO_KUBE_VIRT_INTERFACES"), errors),
            ExcludeInterfaces = ParseInterfaces("-c/--exclude-interfaces", args.ExcludeInterfaces, errors),
            TproxyMark = ParseNumber("-t/--inbound-tproxy-mark", Or(args.TproxyMark, "INBOUND_TPROXY_MARK"), defaults.TproxyMark, errors, min: 1),
            TproxyRouteTable = ParseNumber("-r/--inbound-tproxy-route-table", Or(args.TproxyRouteTable, "INBOUND_TPROXY_ROUTE_TABLE"), defaults.TproxyRouteTable, errors, min: 1, max: 252),
            Backend = ParseBackend(args.Backend, args.NativeNftables, errors),
            Ipv6 = args.Ipv6 || IsTrue(environment("ISTIO_ENABLE_IPV6")),
            DropInvalid = args.DropInvalid || IsTrue(environment("INVALID_DROP")),
        };

        if (options.OutboundCapturePort == options.InboundCapturePort && options.Mode == InterceptionMode.Tproxy)
        {
            errors.Add(new("-z/--inbound-capture-port", options.InboundCapturePort.ToString(CultureInfo.InvariantCulture),
                "TPROXY needs an inbound capture port of its own (the transparent listener); pick one other than -p"));
        }

        return errors.Count == 0 ? (options, errors) : (null, errors);
    }

    private static bool IsTrue(string? value) => value is "1" or "true" or "TRUE" or "True";

    private static IEnumerable<string> Items(string value) =>
        value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static ushort ParsePort(string flag, string? value, ushort fallback, List<CaptureOptionError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        return TryPort(value.Trim(), out var port) ? port : Fail(flag, value, "not a TCP port; give a number from 1 to 65535", errors, fallback);
    }

    private static bool TryPort(string text, out ushort port) =>
        ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port != 0;

    private static IReadOnlyList<ushort> ParsePorts(string flag, string? value, List<CaptureOptionError> errors) =>
        ParsePortSelection(flag, value, errors, allowWildcard: false).Ports;

    private static PortSelection ParsePortSelection(string flag, string? value, List<CaptureOptionError> errors, bool allowWildcard = true)
    {
        var problems = new List<SelectionProblem>();
        var selection = PortSelection.Parse(value, allowWildcard, problems);
        errors.AddRange(problems.Select(p => new CaptureOptionError(flag, p.Item, p.Problem)));
        return selection;
    }

    private static CidrSelection ParseCidrSelection(string flag, string? value, List<CaptureOptionError> errors, bool allowWildcard = true)
    {
        var problems = new List<SelectionProblem>();
        var selection = CidrSelection.Parse(value, allowWildcard, bareAddressIsHost: true, problems);
        errors.AddRange(problems.Select(p => new CaptureOptionError(flag, p.Item, p.Problem)));
        return selection;
    }

    private static IReadOnlyList<uint> ParseIds(string flag, string? value, IReadOnlyList<uint> fallback, List<CaptureOptionError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        var ids = new List<uint>();
        foreach (var item in Items(value))
        {
            if (uint.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id != uint.MaxValue)
            {
                ids.Add(id);
            }
            else
            {
                errors.Add(new(flag, item, "not a numeric id; give the proxy's uid/gid as a number, e.g. 1337 (names are not resolved inside the pod)"));
            }
        }

        return ids.Count > 0 ? ids : fallback;
    }

    private static uint ParseNumber(string flag, string? value, uint fallback, List<CaptureOptionError> errors, uint min = 0, uint max = uint.MaxValue)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        var text = value.Trim();
        var ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var n)
            : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out n);
        return ok && n >= min && n <= max ? n : Fail(flag, value, $"give a number from {min} to {max}", errors, fallback);
    }

    private static InterceptionMode ParseMode(string? value, List<CaptureOptionError> errors) =>
        string.IsNullOrWhiteSpace(value) ? InterceptionMode.Redirect
        : InterceptionModes.TryParse(value, out var mode) ? mode
        : Fail("-m/--istio-inbound-interception-mode", value, "unknown mode; use REDIRECT or TPROXY", errors, InterceptionMode.Redirect);

    private static BackendKind ParseBackend(string? value, bool nativeNftables, List<CaptureOptionError> errors)
    {
        var backend = ParseBackend(value, errors);
        return !nativeNftables || backend is BackendKind.Auto or BackendKind.Nft ? (nativeNftables ? BackendKind.Nft : backend)
            : Fail("--native-nftables", "true", $"asks for native nftables but --backend says {value}; give one of the two", errors, backend);
    }

    private static BackendKind ParseBackend(string? value, List<CaptureOptionError> errors) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => BackendKind.Auto,
        "iptables" => BackendKind.Iptables,
        "iptables-legacy" or "legacy" => BackendKind.IptablesLegacy,
        "iptables-nft" => BackendKind.IptablesNft,
        "nft" or "nftables" => BackendKind.Nft,
        _ => Fail("--backend", value!, "unknown backend; use auto, iptables, iptables-legacy, iptables-nft or nft", errors, BackendKind.Auto),
    };

    private static IReadOnlyList<string> ParseInterfaces(string flag, string? value, List<CaptureOptionError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        var names = new List<string>();
        foreach (var item in Items(value))
        {
            // IFNAMSIZ is 16 with the NUL; iptables also refuses these characters in -i/-o.
            if (item.Length > 15 || item.Any(c => char.IsWhiteSpace(c) || c is '/' or ':' or '"' or '\'' or ';'))
            {
                errors.Add(new(flag, item, "not an interface name (at most 15 characters, no spaces, '/' or ':')"));
            }
            else
            {
                names.Add(item);
            }
        }

        return names;
    }

    private static T Fail<T>(string flag, string value, string problem, List<CaptureOptionError> errors, T fallback)
    {
        errors.Add(new(flag, value, problem));
        return fallback;
    }
}
