using System.CommandLine;
using Waylay.Capture.Options;

namespace Waylay.Commands;

/// <summary>
/// istio-iptables' flags, short and long, with its meanings and defaults, shared by `capture` and `capture explain`.
/// Values stay strings here: Waylay.Capture parses them once, reporting every error together. Both generations of
/// istio-iptables' long names are accepted (e.g. --exclude-interfaces and today's --istio-exclude-interfaces), and, as
/// with its flag parser (pflag), a flag given twice takes its last value.
/// </summary>
internal sealed class CaptureFlags
{
    public Option<string?> OutboundPort { get; } = Flag("--envoy-port", "-p", "Port outbound TCP is redirected to (the proxy's outbound listener). Default $ENVOY_PORT or 15001.");
    public Option<string?> InboundPort { get; } = Flag("--inbound-capture-port", "-z", "Port inbound TCP is redirected to. Default $INBOUND_CAPTURE_PORT or 15006.");
    public Option<string?> ProxyUid { get; } = Flag("--proxy-uid", "-u", "Uid(s) of the proxy, comma separated; their traffic is never captured. Default 1337.");
    public Option<string?> ProxyGid { get; } = Flag("--proxy-gid", "-g", "Gid(s) of the proxy, comma separated. Default: the uids.");
    public Option<string?> Mode { get; } = Flag("--istio-inbound-interception-mode", "-m", "Inbound interception: REDIRECT (nat) or TPROXY (mangle, transparent listener). Default REDIRECT.");
    public Option<string?> InboundPorts { get; } = Flag("--istio-inbound-ports", "-b", "Inbound ports to capture, comma separated; '*' for all, empty for none. Default $ISTIO_INBOUND_PORTS or none.");
    public Option<string?> InboundExclude { get; } = Flag("--istio-local-exclude-ports", "-d", "Inbound ports never captured (with -b '*'), comma separated.");
    public Option<string?> OutboundCidrs { get; } = Flag("--istio-service-cidr", "-i", "Outbound destinations to capture, comma separated CIDRs; '*' for all, empty for none. Default $ISTIO_SERVICE_CIDR or none.");
    public Option<string?> OutboundExcludeCidrs { get; } = Flag("--istio-service-exclude-cidr", "-x", "Outbound destinations never captured, comma separated CIDRs.");
    public Option<string?> OutboundPortsInclude { get; } = Flag("--istio-local-outbound-ports-include", "-q", "Outbound ports always captured, comma separated.", "--istio-outbound-ports");
    public Option<string?> OutboundPortsExclude { get; } = Flag("--istio-local-outbound-ports-exclude", "-o", "Outbound ports never captured, comma separated.");
    public Option<string?> VirtualInterfaces { get; } = Flag("--kube-virt-interfaces", "-k", "Interfaces whose arriving traffic is treated as outbound (a VM's), comma separated.");
    public Option<string?> ExcludeInterfaces { get; } = Flag("--exclude-interfaces", "-c", "Interfaces never captured, comma separated.", "--istio-exclude-interfaces");
    public Option<string?> TproxyMark { get; } = Flag("--inbound-tproxy-mark", "-t", "fwmark for TPROXY packets. Default 1337.", "--istio-inbound-tproxy-mark");
    public Option<string?> TproxyTable { get; } = Flag("--inbound-tproxy-route-table", "-r", "Routing table for TPROXY packets. Default 133.", "--istio-inbound-tproxy-route-table");
    public Option<string?> Backend { get; } = Flag("--backend", null, "Rule writer; auto follows where the namespace's rules already live. Default auto.");
    public Option<bool> NativeNftables { get; } = Switch("--native-nftables", "Write native nftables tables: --backend nft, by istio-iptables' name (Istio's injection passes it when installed with values.global.nativeNftables=true).");
    public Option<bool> Ipv6 { get; } = Switch("--ipv6", "Also write the IPv6 rules (ip6tables / ip6 tables). ICMPv6 is never touched.", "--dual-stack");
    public Option<bool> DropInvalid { get; } = Switch("--drop-invalid", "Drop conntrack-INVALID TCP in mangle instead of letting it cause resets (istio#36566).");

    public CaptureFlags()
    {
        // Help names the values the parser accepts, as the proxy's choices do (<loopback|pod-ip>).
        Mode.HelpName = "REDIRECT|TPROXY";
        Backend.HelpName = "auto|iptables|iptables-legacy|iptables-nft|nft";
    }

    public void AddTo(Command command)
    {
        foreach (var option in new Option[]
        {
            OutboundPort, InboundPort, ProxyUid, ProxyGid, Mode, InboundPorts, InboundExclude, OutboundCidrs, OutboundExcludeCidrs,
            OutboundPortsInclude, OutboundPortsExclude, VirtualInterfaces, ExcludeInterfaces, TproxyMark, TproxyTable, Backend, NativeNftables, Ipv6, DropInvalid,
        })
        {
            command.Options.Add(option);
        }
    }

    public CaptureArguments Read(ParseResult parse) => new()
    {
        OutboundCapturePort = parse.GetValue(OutboundPort),
        InboundCapturePort = parse.GetValue(InboundPort),
        ProxyUid = parse.GetValue(ProxyUid),
        ProxyGid = parse.GetValue(ProxyGid),
        Mode = parse.GetValue(Mode),
        InboundPorts = parse.GetValue(InboundPorts),
        InboundPortsExclude = parse.GetValue(InboundExclude),
        OutboundCidrs = parse.GetValue(OutboundCidrs),
        OutboundCidrsExclude = parse.GetValue(OutboundExcludeCidrs),
        OutboundPortsInclude = parse.GetValue(OutboundPortsInclude),
        OutboundPortsExclude = parse.GetValue(OutboundPortsExclude),
        VirtualInterfaces = parse.GetValue(VirtualInterfaces),
        ExcludeInterfaces = parse.GetValue(ExcludeInterfaces),
        TproxyMark = parse.GetValue(TproxyMark),
        TproxyRouteTable = parse.GetValue(TproxyTable),
        Backend = parse.GetValue(Backend),
        NativeNftables = parse.GetValue(NativeNftables),
        Ipv6 = parse.GetValue(Ipv6),
        DropInvalid = parse.GetValue(DropInvalid),
    };

    /// <summary>Parses the flags into options, or throws a usage error listing every problem.</summary>
    public CaptureOptions Options(ParseResult parse)
    {
        var (options, errors) = CaptureOptionsParser.Parse(Read(parse));
        if (options is null)
        {
            throw new UsageException("invalid capture flags:\n  " + string.Join("\n  ", errors));
        }

        return options;
    }

    /// <summary>
    /// A flag with a value, read as pflag reads istio-iptables' string flags: repeating it overrides (the last value
    /// wins) instead of System.CommandLine's "expects a single argument"; each occurrence still takes exactly one token.
    /// </summary>
    public static Option<string?> Flag(string name, string? shortName, string description, params string[] aliases)
    {
        var option = new Option<string?>(name, shortName is null ? aliases : [shortName, .. aliases])
        {
            Description = description,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
            CustomParser = result => result.Tokens[^1].Value,
        };
        return option;
    }

    /// <summary>An on/off flag that may be given more than once (pflag's bool flags may), optionally "--flag=false".</summary>
    public static Option<bool> Switch(string name, string description, params string[] aliases)
    {
        var option = new Option<bool>(name, aliases)
        {
            Description = description,
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return true;
            }

            var last = result.Tokens[^1].Value;
            if (bool.TryParse(last, out var value))
            {
                return value;
            }

            result.AddError($"{name}: '{last}' is not true or false; give the flag alone to turn it on, or {name}=false");
            return false;
        };
        return option;
    }
}
