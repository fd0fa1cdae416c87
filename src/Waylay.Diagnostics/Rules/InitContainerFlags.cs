using Waylay.Capture.Options;

namespace Waylay.Diagnostics.Rules;

/// <summary>
/// The init container's argv (<c>waylay capture -p 15001 -z 15006 -u 1337 -m REDIRECT -i '*' …</c>, or istio-iptables'
/// own) read back into <see cref="CaptureArguments"/>, with istio-iptables' short and long names, pflag's
/// <c>--flag=value</c> form and its last-one-wins rule, so the plan is the one the init container made.
/// </summary>
internal static class InitContainerFlags
{
    private static readonly Dictionary<string, Func<CaptureArguments, string, CaptureArguments>> Values = new(StringComparer.Ordinal)
    {
        ["-p"] = (a, v) => a with { OutboundCapturePort = v }, ["--envoy-port"] = (a, v) => a with { OutboundCapturePort = v },
        ["-z"] = (a, v) => a with { InboundCapturePort = v }, ["--inbound-capture-port"] = (a, v) => a with { InboundCapturePort = v },
        ["-u"] = (a, v) => a with { ProxyUid = v }, ["--proxy-uid"] = (a, v) => a with { ProxyUid = v },
        ["-g"] = (a, v) => a with { ProxyGid = v }, ["--proxy-gid"] = (a, v) => a with { ProxyGid = v },
        ["-m"] = (a, v) => a with { Mode = v }, ["--istio-inbound-interception-mode"] = (a, v) => a with { Mode = v },
        ["-b"] = (a, v) => a with { InboundPorts = v }, ["--istio-inbound-ports"] = (a, v) => a with { InboundPorts = v },
        ["-d"] = (a, v) => a with { InboundPortsExclude = v }, ["--istio-local-exclude-ports"] = (a, v) => a with { InboundPortsExclude = v },
        ["-i"] = (a, v) => a with { OutboundCidrs = v }, ["--istio-service-cidr"] = (a, v) => a with { OutboundCidrs = v },
        ["-x"] = (a, v) => a with { OutboundCidrsExclude = v }, ["--istio-service-exclude-cidr"] = (a, v) => a with { OutboundCidrsExclude = v },
        ["-q"] = (a, v) => a with { OutboundPortsInclude = v }, ["--istio-local-outbound-ports-include"] = (a, v) => a with { OutboundPortsInclude = v },
        ["--istio-outbound-ports"] = (a, v) => a with { OutboundPortsInclude = v },
        ["-o"] = (a, v) => a with { OutboundPortsExclude = v }, ["--istio-local-outbound-ports-exclude"] = (a, v) => a with { OutboundPortsExclude = v },
        ["-k"] = (a, v) => a with { VirtualInterfaces = v }, ["--kube-virt-interfaces"] = (a, v) => a with { VirtualInterfaces = v },
        ["-c"] = (a, v) => a with { ExcludeInterfaces = v }, ["--exclude-interfaces"] = (a, v) => a with { ExcludeInterfaces = v },
        ["--istio-exclude-interfaces"] = (a, v) => a with { ExcludeInterfaces = v },
        ["-t"] = (a, v) => a with { TproxyMark = v }, ["--inbound-tproxy-mark"] = (a, v) => a with { TproxyMark = v },
        ["--istio-inbound-tproxy-mark"] = (a, v) => a with { TproxyMark = v },
        ["-r"] = (a, v) => a with { TproxyRouteTable = v }, ["--inbound-tproxy-route-table"] = (a, v) => a with { TproxyRouteTable = v },
        ["--istio-inbound-tproxy-route-table"] = (a, v) => a with { TproxyRouteTable = v },
        ["--backend"] = (a, v) => a with { Backend = v },
    };

    private static readonly Dictionary<string, Func<CaptureArguments, bool, CaptureArguments>> Switches = new(StringComparer.Ordinal)
    {
        ["--ipv6"] = (a, on) => a with { Ipv6 = on }, ["--dual-stack"] = (a, on) => a with { Ipv6 = on },
        ["--drop-invalid"] = (a, on) => a with { DropInvalid = on },
        ["--native-nftables"] = (a, on) => a with { NativeNftables = on },
    };

    /// <summary>
    /// The flags after the program (and its <c>capture</c> verb). Flags diagnostics need not know (istio-iptables'
    /// logging flags) are skipped, with the value that follows when it is not itself a flag.
    /// </summary>
    public static CaptureArguments Read(IReadOnlyList<string> argv)
    {
        var args = new CaptureArguments();
        var start = argv.ToList().FindIndex(a => a.StartsWith('-'));
        for (var i = start < 0 ? argv.Count : start; i < argv.Count; i++)
        {
            var (name, inline) = argv[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal) ? (n, v) : (argv[i], null);
            if (Switches.TryGetValue(name, out var toggle))
            {
                args = toggle(args, inline is null || bool.Parse(inline));
            }
            else if (Values.TryGetValue(name, out var set))
            {
                args = set(args, inline ?? (i + 1 < argv.Count ? argv[++i] : ""));
            }
            else if (inline is null && i + 1 < argv.Count && !argv[i + 1].StartsWith('-'))
            {
                i++;
            }
        }

        return args;
    }
}
