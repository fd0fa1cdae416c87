using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Waylay.Capture.Plan;

namespace Waylay.Capture.Explain;

public enum PacketDirection
{
    /// <summary>Made by a process in the pod: meets nat OUTPUT; has an owner uid/gid and an output interface.</summary>
    Out,

    /// <summary>Arriving on an interface: meets mangle and nat PREROUTING.</summary>
    In,
}

/// <summary>
/// The first packet of a connection as the rules see it. Written as text like
/// <c>out tcp uid=0 dst=10.96.0.20:9080</c> or <c>in tcp iif=eth0 src=10.244.1.1 dst=10.244.1.5:9080</c>.
/// </summary>
public sealed record Packet(
    PacketDirection Direction,
    bool Tcp,
    IPAddress Destination,
    ushort DestinationPort,
    IPAddress? Source = null,
    uint Uid = 0,
    uint Gid = 0,
    string? InInterface = null,
    string? OutInterface = null,
    ConnState State = ConnState.New)
{
    public AddressFamily Family => Destination.AddressFamily;

    /// <summary>The output interface the kernel would pick when none is given: lo for loopback, else eth0.</summary>
    public string EffectiveOutInterface => OutInterface ?? (IPAddress.IsLoopback(Destination) ? "lo" : "eth0");

    public string EffectiveInInterface => InInterface ?? "eth0";

    public override string ToString()
    {
        var parts = new List<string> { Direction == PacketDirection.Out ? "out" : "in", Tcp ? "tcp" : "udp" };
        if (Direction == PacketDirection.Out)
        {
            parts.Add($"uid={Uid}");
            parts.Add($"gid={Gid}");
        }

        if (Source is not null)
        {
            parts.Add($"src={Source}");
        }

        parts.Add($"dst={new IPEndPoint(Destination, DestinationPort)}");
        parts.Add(Direction == PacketDirection.Out ? $"oif={EffectiveOutInterface}" : $"iif={EffectiveInInterface}");
        if (State != ConnState.New)
        {
            parts.Add($"state={State.ToString().ToLowerInvariant()}");
        }

        return string.Join(' ', parts);
    }

    /// <summary>Parses the text form; every problem is reported with the fix.</summary>
    public static Packet Parse(string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 0)
        {
            throw new FormatException("empty packet; write e.g. 'out tcp uid=0 dst=10.96.0.20:9080'");
        }

        var direction = words[0].ToLowerInvariant() switch
        {
            "out" => PacketDirection.Out,
            "in" => PacketDirection.In,
            _ => throw new FormatException($"'{words[0]}': a packet starts with its direction, 'out' (made in the pod) or 'in' (arriving)"),
        };

        var tcp = true;
        IPAddress? destination = null, source = null;
        ushort port = 0;
        uint uid = 0;
        uint? gid = null;
        string? iif = null, oif = null;
        var state = ConnState.New;
        foreach (var word in words.Skip(1))
        {
            if (word is "tcp" or "udp")
            {
                tcp = word == "tcp";
                continue;
            }

            var eq = word.IndexOf('=');
            if (eq <= 0)
            {
                throw new FormatException($"'{word}': expected key=value (uid, gid, src, dst, iif, oif, state) or tcp/udp");
            }

            var (key, value) = (word[..eq].ToLowerInvariant(), word[(eq + 1)..]);
            switch (key)
            {
                case "uid": uid = Id(key, value); break;
                case "gid": gid = Id(key, value); break;
                case "dst": (destination, port) = Endpoint(value, requirePort: true); break;
                case "src": source = Endpoint(value, requirePort: false).Address; break;
                case "iif": iif = value; break;
                case "oif": oif = value; break;
                case "state":
                    state = value.ToLowerInvariant() switch
                    {
                        "new" => ConnState.New,
                        "established" => ConnState.Established,
                        "related" => ConnState.Related,
                        "invalid" => ConnState.Invalid,
                        _ => throw new FormatException($"state '{value}': use new, established, related or invalid"),
                    };
                    break;
                default:
                    throw new FormatException($"'{key}': unknown field; use uid, gid, src, dst, iif, oif or state");
            }
        }

        if (destination is null)
        {
            throw new FormatException("the packet needs a destination, e.g. dst=10.96.0.20:9080");
        }

        if (source is not null && source.AddressFamily != destination.AddressFamily)
        {
            throw new FormatException($"src {source} and dst {destination} are of different address families");
        }

        if (direction == PacketDirection.In && (oif is not null))
        {
            throw new FormatException("'oif' is for 'out' packets; an arriving packet has 'iif'");
        }

        return new Packet(direction, tcp, destination, port, source, uid, gid ?? uid, iif, oif, state);
    }

    private static uint Id(string key, string value) =>
        uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new FormatException($"{key}={value}: a numeric id, e.g. {key}=1337");

    private static (IPAddress Address, ushort Port) Endpoint(string value, bool requirePort)
    {
        if (IPEndPoint.TryParse(value, out var endpoint) && (endpoint.Port != 0 || !requirePort)
            && (value.Contains("]:") || (endpoint.AddressFamily == AddressFamily.InterNetwork && value.Contains(':')) || !requirePort))
        {
            return (endpoint.Address, (ushort)endpoint.Port);
        }

        if (!requirePort && IPAddress.TryParse(value.Trim('[', ']'), out var address))
        {
            return (address, 0);
        }

        throw new FormatException(requirePort
            ? $"dst={value}: give address:port, e.g. dst=10.96.0.20:9080 or dst=[fd00::1]:9080"
            : $"src={value}: not an IP address");
    }
}
