using Waylay.TestKit;
using Xunit;

namespace Waylay.Capture.Tests.Cli;

/// <summary>The command as users meet it: help, exit codes, errors on stderr, nothing changed on bad input.</summary>
public sealed class CaptureCliTests
{
    [Fact]
    public async Task Help_DocumentsEveryIstioFlag()
    {
        var help = await WaylayCli.RunAsync("capture", "--help");
        Assert.True(help.Succeeded);
        foreach (var flag in new[]
        {
            "-p", "-z", "-u", "-g", "-m", "-b", "-d", "-i", "-x", "-q", "-o", "-k", "-c", "-t", "-r", "-n", "--ipv6", "--drop-invalid", "--backend", "--cleanup", "--verify", "--netns",
            "--istio-inbound-tproxy-mark", "--istio-inbound-tproxy-route-table", "--istio-exclude-interfaces", "--istio-outbound-ports",
            "--network-namespace", "--cleanup-only", "--dual-stack",
        })
        {
            Assert.Contains(flag, help.StandardOutput);
        }
    }

    [Fact]
    public async Task Help_ListsTheValuesTheParserAccepts()
    {
        var help = await WaylayCli.RunAsync("capture", "--help");
        Assert.True(help.Succeeded, help.Diagnostic);
        Assert.Contains("--istio-inbound-interception-mode <REDIRECT|TPROXY>", help.StandardOutput);
        Assert.Contains("--backend <auto|iptables|iptables-legacy|iptables-nft|nft>", help.StandardOutput);
    }

    [Fact]
    public async Task RootHelp_ListsCapture()
    {
        var help = await WaylayCli.RunAsync("--help");
        Assert.True(help.Succeeded);
        Assert.Contains("capture", help.StandardOutput);
    }

    [Theory]
    [InlineData("-p", "99999")]
    [InlineData("-i", "10.0.0.0/99")]
    [InlineData("-m", "BRIDGE")]
    [InlineData("-u", "nobody")]
    public async Task BadValue_ExitsWithUsageError_NamingTheFlag(string flag, string value)
    {
        var result = await WaylayCli.RunAsync("capture", flag, value, "--dry-run");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(flag, result.StandardError);
        Assert.Contains(value, result.StandardError);
        Assert.Empty(result.StandardOutput);
    }

    [Theory]
    [InlineData("-q", "25", "--istio-local-outbound-ports-include", "--istio-outbound-ports")]
    [InlineData("-c", "eth9", "--exclude-interfaces", "--istio-exclude-interfaces")]
    [InlineData("-t", "1400", "--inbound-tproxy-mark", "--istio-inbound-tproxy-mark")]
    [InlineData("-r", "140", "--inbound-tproxy-route-table", "--istio-inbound-tproxy-route-table")]
    public async Task TodaysIstioLongNames_AreAliases(string shortName, string value, string olderName, string todaysName)
    {
        string[] flags = ["capture", "-m", "TPROXY", "-i", "*", "-b", "*", "--dry-run"];
        var viaShort = await WaylayCli.RunAsync([.. flags, shortName, value]);
        var viaOlder = await WaylayCli.RunAsync([.. flags, olderName, value]);
        var viaToday = await WaylayCli.RunAsync([.. flags, todaysName, value]);
        Assert.True(viaToday.Succeeded, viaToday.Diagnostic);
        Assert.Contains(value is "1400" ? "0x578" : value, viaToday.StandardOutput);
        Assert.Equal(viaShort.StandardOutput, viaToday.StandardOutput);
        Assert.Equal(viaOlder.StandardOutput, viaToday.StandardOutput);
    }

    [Fact]
    public async Task DualStack_IsIpv6()
    {
        var result = await WaylayCli.RunAsync("capture", "-i", "*", "--dual-stack", "--dry-run");
        Assert.True(result.Succeeded, result.Diagnostic);
        Assert.Contains("# ip6tables-restore", result.StandardOutput);
    }

    [Fact]
    public async Task RepeatedFlag_TakesTheLastValue_AsIstioIptablesDoes()
    {
        var result = await WaylayCli.RunAsync("capture", "-p", "15009", "-i", "*", "-p", "15001", "-b", "9080", "-b", "8080",
            "--ipv6", "--ipv6", "--dry-run", "--dry-run");
        Assert.True(result.Succeeded, result.Diagnostic);
        Assert.Contains("REDIRECT --to-ports 15001", result.StandardOutput);
        Assert.DoesNotContain("15009", result.StandardOutput);
        Assert.Contains("--dport 8080", result.StandardOutput);
        Assert.DoesNotContain("9080", result.StandardOutput);
        Assert.Contains("# ip6tables-restore", result.StandardOutput);
    }

    [Fact]
    public async Task RepeatedFlag_StillTakesOneValueEach()
    {
        var result = await WaylayCli.RunAsync("capture", "-p", "15001", "15002", "--dry-run");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("15002", result.StandardError);
    }

    [NetnsFact]
    public async Task NetworkNamespaceAndCleanupOnly_AreIstiosNamesForNetnsAndCleanup()
    {
        await using var ns = await TestNamespace.CreateAsync();
        var applied = await WaylayCli.RunAsync("capture", "--network-namespace", ns.Name, "-i", "*", "-b", "9080");
        Assert.True(applied.Succeeded, applied.Diagnostic);
        Assert.Contains("ISTIO_OUTPUT", (await ns.RunAsync("iptables-save")).StandardOutput);

        var cleaned = await WaylayCli.RunAsync("capture", "--network-namespace", ns.Name, "--cleanup-only");
        Assert.True(cleaned.Succeeded, cleaned.Diagnostic);
        Assert.DoesNotContain("ISTIO", (await ns.RunAsync("iptables-save")).StandardOutput);
    }

    [Fact]
    public async Task UnknownFlag_ExitsWithUsageError()
    {
        var result = await WaylayCli.RunAsync("capture", "--frobnicate");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--frobnicate", result.StandardError);
    }

    [Fact]
    public async Task MissingNamespace_IsAUsageError_WithTheFix()
    {
        // Like a missing file named on the command line: the user's to fix, exit 2 (README "Exit codes").
        var result = await WaylayCli.RunAsync("capture", "--netns", $"wl-{RunId.Value}-absent", "-b", "9080");
        WaylayCli.AssertRefused(result, 2, "no such network namespace");
        Assert.Contains("ip netns list", result.StandardError);
    }

    [NetnsFact]
    public async Task BadInput_LeavesTheNamespaceUntouched()
    {
        await using var ns = await TestNamespace.CreateAsync();
        await ns.CaptureAsync("-i", "*", "-b", "9080");
        var before = (await ns.RunAsync("iptables-save", "-t", "nat")).StandardOutput;

        var result = await WaylayCli.RunAsync("capture", "--netns", ns.Name, "-i", "*", "-b", "9080,70000");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal(Strip(before), Strip((await ns.RunAsync("iptables-save", "-t", "nat")).StandardOutput));
    }

    [NetnsFact]
    public async Task DryRun_TouchesNothing()
    {
        await using var ns = await TestNamespace.CreateAsync();
        var result = await WaylayCli.RunAsync("capture", "--netns", ns.Name, "-i", "*", "-b", "*", "--dry-run");
        Assert.True(result.Succeeded, result.Diagnostic);
        Assert.Contains("-A ISTIO_OUTPUT -j ISTIO_REDIRECT", result.StandardOutput);
        Assert.DoesNotContain("ISTIO", (await ns.RunAsync("iptables-save")).StandardOutput);
        Assert.DoesNotContain("waylay", (await ns.RunAsync("nft", "list", "ruleset")).StandardOutput);
    }

    [Fact]
    public async Task Explain_PrintsPathAndReasons()
    {
        var result = await WaylayCli.RunAsync("capture", "explain", "-p", "15001", "-u", "1337", "-i", "*", "-b", "9080",
            "--packet", "out tcp uid=0 dst=10.96.0.20:9080");
        Assert.True(result.Succeeded, result.Diagnostic);
        Assert.Contains("OUTPUT → ISTIO_OUTPUT #9 → ISTIO_REDIRECT #1 → REDIRECT :15001", result.StandardOutput);
        Assert.Contains("why:", result.StandardOutput);
    }

    [Fact]
    public async Task Explain_BadPacket_IsAUsageError()
    {
        var result = await WaylayCli.RunAsync("capture", "explain", "-i", "*", "--packet", "out tcp dst=nowhere");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--packet", result.StandardError);
    }

    private static string Strip(string save) => string.Join('\n', save.Split('\n').Where(l => !l.StartsWith('#')));
}
