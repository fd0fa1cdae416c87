using System.Net;
using Waylay.Capture.Explain;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Waylay.Capture.Tests.Kernel;

/// <summary>
/// `capture explain` must say what the kernel does. For several flag sets, random first packets are both classified
/// from the plan and sent for real through the rules `waylay capture` wrote; the two verdicts must agree for every one.
/// The packets are seeded by a stable hash of the flag set's name (string.GetHashCode differs per process), printed on
/// failure; WAYLAY_DIFFERENTIAL_SEED=N replays a seed.
/// </summary>
public sealed class DifferentialTests(ITestOutputHelper output)
{
    public static TheoryData<string, string[]> FlagSets => new()
    {
        { "seed", ["-p", "15001", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "9080,", "-d", ""] },
        { "istio-default", ["-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020", "--ipv6"] },
        { "ranges", ["-i", "10.96.0.0/16,fd00:96::/64", "-x", "10.96.0.10/32", "-b", "9080,8080", "-q", "3306", "-o", "25", "-u", "1337", "-g", "1500", "--ipv6"] },
        { "tproxy", ["-m", "TPROXY", "-b", "*", "-d", "15090", "-i", "*", "-o", "3306"] },
        { "tproxy-nft", ["--backend", "nft", "-m", "TPROXY", "-b", "9080,3306", "-i", "*", "-o", "3306,25", "--ipv6"] },
        { "nft", ["--backend", "nft", "-i", "*", "-b", "*", "-d", "15021", "-x", "10.244.1.0/24", "--ipv6", "--drop-invalid"] },
        { "legacy-exclude-lo", ["--backend", "iptables-legacy", "-i", "*", "-b", "9080,22", "-c", "lo", "-q", "25"] },
    };

    [NetnsTheory]
    [MemberData(nameof(FlagSets))]
    public async Task ExplainVerdict_EqualsKernelVerdict(string name, string[] flags)
    {
        await using var lab = await CaptureLab.CreateAsync();
        await lab.Pod.CaptureAsync([.. flags, "--verify"]);
        var (options, errors) = CaptureOptionsParser.Parse(ParseForTest(flags), _ => null);
        Assert.Empty(errors);
        var plan = RulePlanner.Plan(options!);

        var seed = Seed(name);
        var random = new Random(seed);
        var mismatches = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var (packet, send) = Generate(random, options!.Ipv6);
            var verdict = PacketClassifier.Classify(plan, packet);
            var expected = Expected(verdict, packet);
            var landing = await send(lab);
            if (landing.Where != expected)
            {
                mismatches.Add($"{packet}: explain says {expected} ({PacketClassifier.Path(verdict)}), kernel says {landing}");
            }
            else if (verdict.Kind != VerdictKind.NotCaptured)
            {
                // Captured connections must carry the address the client dialled.
                var original = verdict.Kind == VerdictKind.Tproxied ? landing.LocalEndPoint : landing.OriginalDestination;
                if (!Equals(original, new IPEndPoint(packet.Destination, packet.DestinationPort)))
                {
                    mismatches.Add($"{packet}: landed on {landing.Where} but the original destination read there is {original}");
                }
            }
        }

        foreach (var line in mismatches)
        {
            output.WriteLine(line);
        }

        Assert.True(mismatches.Count == 0,
            $"flag set '{name}', seed {seed} (replay with WAYLAY_DIFFERENTIAL_SEED={seed}): {mismatches.Count} of 40 packets disagree:\n{string.Join('\n', mismatches)}");
    }

    /// <summary>FNV-1a of the name: the same in every process, unlike string.GetHashCode.</summary>
    internal static int Seed(string name)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("WAYLAY_DIFFERENTIAL_SEED"), out var replay))
        {
            return replay;
        }

        var hash = 2166136261u;
        foreach (var c in name)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x7fffffff);
    }

    private static string Expected(Verdict verdict, Packet packet) => verdict.Kind switch
    {
        VerdictKind.Redirected or VerdictKind.Tproxied => $"pod:{verdict.Port}",
        VerdictKind.Dropped => "timeout",
        _ => packet.Direction == PacketDirection.In || IsPodLocal(packet.Destination)
            ? $"pod:{packet.DestinationPort}"
            : $"peer:{packet.DestinationPort}",
    };

    private static bool IsPodLocal(IPAddress address) =>
        IPAddress.IsLoopback(address) || address.Equals(CaptureLab.PodIp) || address.Equals(CaptureLab.PodIp6);

    private static (Packet Packet, Func<CaptureLab, Task<Landing>> Send) Generate(Random random, bool ipv6)
    {
        var v6 = ipv6 && random.Next(3) == 0;
        var port = CaptureLab.AppPorts[random.Next(CaptureLab.AppPorts.Length)];
        if (random.Next(3) == 0)
        {
            var podIp = v6 ? CaptureLab.PodIp6 : CaptureLab.PodIp;
            var peer = v6 ? CaptureLab.PeerIp6 : CaptureLab.PeerIp;
            var packet = new Packet(PacketDirection.In, true, podIp, port, peer, InInterface: "eth0");
            return (packet, lab => lab.ConnectInAsync(new IPEndPoint(podIp, port)));
        }

        IPAddress[] destinations = v6
            ? [CaptureLab.ServiceIp6, CaptureLab.PeerIp6, CaptureLab.PodIp6, IPAddress.IPv6Loopback]
            : [CaptureLab.ServiceIp, CaptureLab.OtherServiceIp, CaptureLab.PeerIp, CaptureLab.PodIp, IPAddress.Loopback, IPAddress.Parse("127.0.0.2")];
        var destination = destinations[random.Next(destinations.Length)];
        uint[] ids = [0, 1000, 1337, 1500];
        var uid = ids[random.Next(ids.Length)];
        var gid = random.Next(2) == 0 ? uid : ids[random.Next(ids.Length)];
        var local = IPAddress.IsLoopback(destination) || destination.Equals(CaptureLab.PodIp) || destination.Equals(CaptureLab.PodIp6);

        // The kernel's source choice: a loopback destination is reached from 127.0.0.1/::1, the pod's own IP from
        // itself, the rest from the pod IP. Sometimes the client binds 127.0.0.6 (::6), as the proxy's inbound passthrough does.
        IPAddress? bound = (destination.Equals(CaptureLab.PodIp) || destination.Equals(CaptureLab.PodIp6)) && random.Next(3) == 0
            ? IPAddress.Parse(v6 ? "::6" : "127.0.0.6")
            : null;
        var source = bound ?? (IPAddress.IsLoopback(destination)
            ? (v6 ? IPAddress.IPv6Loopback : IPAddress.Loopback)
            : (v6 ? CaptureLab.PodIp6 : CaptureLab.PodIp));
        var outPacket = new Packet(PacketDirection.Out, true, destination, port, source, uid, gid, OutInterface: local ? "lo" : "eth0");
        return (outPacket, lab => lab.ConnectOutAsync(new IPEndPoint(destination, port), uid, gid, bound));
    }

    /// <summary>The same flags through the parser's input record (the CLI maps flags to it one to one).</summary>
    private static CaptureArguments ParseForTest(string[] flags)
    {
        var args = new CaptureArguments();
        for (var i = 0; i < flags.Length; i++)
        {
            string Next() => flags[++i];
            args = flags[i] switch
            {
                "-p" => args with { OutboundCapturePort = Next() },
                "-z" => args with { InboundCapturePort = Next() },
                "-u" => args with { ProxyUid = Next() },
                "-g" => args with { ProxyGid = Next() },
                "-m" => args with { Mode = Next() },
                "-b" => args with { InboundPorts = Next() },
                "-d" => args with { InboundPortsExclude = Next() },
                "-i" => args with { OutboundCidrs = Next() },
                "-x" => args with { OutboundCidrsExclude = Next() },
                "-q" => args with { OutboundPortsInclude = Next() },
                "-o" => args with { OutboundPortsExclude = Next() },
                "-c" => args with { ExcludeInterfaces = Next() },
                "-k" => args with { VirtualInterfaces = Next() },
                "--backend" => args with { Backend = Next() },
                "--ipv6" => args with { Ipv6 = true },
                "--drop-invalid" => args with { DropInvalid = true },
                var other => throw new ArgumentException($"flag {other} is not mapped in this test"),
            };
        }

        return args;
    }
}
