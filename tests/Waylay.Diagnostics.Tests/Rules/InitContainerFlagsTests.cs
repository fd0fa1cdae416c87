using Waylay.Capture.Options;
using Waylay.Capture.Plan;
using Waylay.Diagnostics.Rules;

namespace Waylay.Diagnostics.Tests.Rules;

public sealed class InitContainerFlagsTests
{
    [Fact]
    public void InjectedArgs_ShortAndLongNames_LastOneWins_UnknownFlagsSkipped()
    {
        var args = InitContainerFlags.Read(["/usr/local/bin/waylay", "capture", "-p", "15001", "-z", "15006", "-u", "1337", "-m", "REDIRECT",
            "-i", "*", "-x", "", "-b", "*", "-d", "15090,15021,15020", "--log_output_level", "default:info", "-o", "15021", "--istio-local-outbound-ports-exclude=9999"]);

        var (options, errors) = CaptureOptionsParser.Parse(args, _ => null);

        Assert.Empty(errors);
        Assert.Equal((ushort)15006, options!.InboundCapturePort);
        Assert.True(options.InboundPorts.All);
        Assert.Equal([(ushort)9999], options.OutboundPortsExclude);
        Assert.Equal([(ushort)15090, (ushort)15021, (ushort)15020], options.InboundPortsExclude);
    }

    [Fact]
    public void IstioNativeNftables_IsReadAsTheNftBackend()
    {
        var (options, errors) = CaptureOptionsParser.Parse(InitContainerFlags.Read(["istio-iptables", "-p", "15001", "--native-nftables", "-i", "*"]), _ => null);
        Assert.Empty(errors);
        Assert.Equal(BackendKind.Nft, options!.Backend);
    }

    [Fact]
    public void Diff_AlignsOneDeletedAndOneInsertedRule_AsOneLineEach()
    {
        var (options, _) = CaptureOptionsParser.Parse(InitContainerFlags.Read(["-p", "15001", "-u", "1337", "-i", "*", "-b", "9080"]), _ => null);
        var plan = RulePlanner.Plan(options!);
        var lines = Capture.Render.IptablesRestoreRenderer.ExpectedLines(plan.Families[0], NetfilterTable.Nat).ToList();
        var deleted = lines.First(l => l.Contains("-d 127.0.0.1/32 -j RETURN", StringComparison.Ordinal));
        var kernel = lines.Where(l => l != deleted).ToList();
        kernel.Insert(kernel.FindIndex(l => l.StartsWith("-A ISTIO_OUTPUT", StringComparison.Ordinal)), "-A ISTIO_OUTPUT -p tcp -m tcp --dport 5432 -j RETURN");
        var save = "*nat\n" + string.Concat(kernel.Select(l => "[0:0] " + l + "\n")) + "COMMIT\n";

        var diff = RuleDiff.Compare(plan, KernelRuleset.Parse("iptables-save", save));

        Assert.Equal(deleted, Assert.Single(diff, d => d.Kind == DiffKind.Missing).Text);
        var foreign = Assert.Single(diff, d => d.Kind == DiffKind.Foreign);
        Assert.True(foreign.Drift);
        Assert.Equal(lines.Count - 1, diff.Count(d => d.Kind == DiffKind.Same));
    }
}
