using Waylay.TestKit;
using Xunit;

namespace Waylay.Capture.Tests.Cli;

/// <summary>
/// `waylay capture` and `capture explain` refuse bad input through the real binary by the CLI's one rule (README "Exit
/// codes"): exit 2, the flag, the problem and the fix on stderr, no stack trace, nothing on stdout. The cases run in
/// a namespace of their own, so a value wrongly accepted could only write rules there.
/// </summary>
public sealed class CaptureBadInputTests
{
    public static readonly TheoryData<string[], string> BadInput = new()
    {
        { ["-p", "99999", "--dry-run"], "-p/--envoy-port '99999': not a TCP port; give a number from 1 to 65535" },
        { ["-p"], "Required argument missing for option: '-p'" },
        { ["-m", "BRIDGE", "--dry-run"], "unknown mode; use REDIRECT or TPROXY" },
        { ["--backend", "ebpf", "--dry-run"], "--backend 'ebpf': unknown backend" },
        { ["-i", "10.0.0.0/99", "--dry-run"], "-i/--istio-service-cidr '10.0.0.0/99': is not a CIDR range" },
        { ["-b", "9080,70000", "--dry-run"], "-b/--istio-inbound-ports '70000'" },
        { ["-u", "nobody", "--dry-run"], "-u/--proxy-uid 'nobody': not a numeric id" },
        { ["-t", "0", "--dry-run"], "-t/--inbound-tproxy-mark '0'" },
        { ["--netns", "wl-absent-namespace", "-b", "9080"], "--netns 'wl-absent-namespace': no such network namespace" },
        { ["--frobnicate"], "Unrecognized command or argument '--frobnicate'" },
        { ["@/tmp"], "Unrecognized command or argument '@/tmp'" },
        { ["explain"], "Option '--packet' is required" },
        { ["explain", "--packet", ""], "--packet '': empty packet" },
        { ["explain", "--packet", "out tcp dst=10.96.0.300:9080"], "dst=10.96.0.300:9080: give address:port" },
        { ["explain", "-m", "BRIDGE", "--packet", "out tcp dst=10.96.0.20:9080"], "unknown mode; use REDIRECT or TPROXY" },
    };

    [NetnsTheory]
    [MemberData(nameof(BadInput))]
    public async Task BadInput_ExitsTwo_NamingTheFlagAndTheFix(string[] arguments, string message)
    {
        await using var ns = await TestNamespace.CreateAsync();
        WaylayCli.AssertRefused(await ns.RunAsync([WaylayCli.Path, "capture", .. arguments]), 2, message);
    }
}
