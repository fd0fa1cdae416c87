using Waylay.Linux;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Capture.Tests.Kernel;

/// <summary>How applies replace, fail and pick a backend, against the real netfilter.</summary>
public sealed class ApplyTests
{
    [NetnsFact]
    public async Task FailedApply_PutsThePreviousRulesBack()
    {
        await using var ns = await TestNamespace.CreateAsync();
        await ns.CaptureAsync("-i", "*", "-b", "9080", "--backend", "iptables-nft");
        var before = await Save(ns);

        // The IPv4 transaction commits for real; then the IPv6 one fails (its restore tool refuses). Capture must undo
        // the IPv4 change, so the namespace is as it was.
        var fakeBin = Directory.CreateTempSubdirectory($"wl-{RunId.Value}-fakebin");
        try
        {
            var fake = Path.Combine(fakeBin.FullName, "ip6tables-nft-restore");
            await File.WriteAllTextAsync(fake, "#!/bin/sh\ncat >/dev/null\necho 'ip6tables-restore: line 2 failed' >&2\nexit 1\n");
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
            var start = new System.Diagnostics.ProcessStartInfo(WaylayCli.CapturePath) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in new[] { "capture", "--netns", ns.Name, "-i", "*", "-b", "*", "-q", "3306", "--ipv6", "--backend", "iptables-nft" })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["PATH"] = fakeBin.FullName + ":" + Environment.GetEnvironmentVariable("PATH");
            using var process = System.Diagnostics.Process.Start(start)!;
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();

            Assert.Equal(1, process.ExitCode);
            Assert.Contains("line 2 failed", stderr);
            Assert.Contains("previous rules were put back", stderr);
            Assert.Equal(before, await Save(ns));
        }
        finally
        {
            fakeBin.Delete(recursive: true);
        }
    }

    [NetnsFact]
    public async Task BackendIptables_IsTheSystemsFlavour_AndKeepsTheRulesItWrote()
    {
        await using var ns = await TestNamespace.CreateAsync();
        var result = await ns.CaptureAsync("-i", "*", "-b", "9080", "--backend", "iptables", "--verify");
        Assert.Contains("the system's default iptables is iptables-", result.StandardError);
        Assert.Contains("-A ISTIO_OUTPUT -j ISTIO_REDIRECT", await Save(ns));
    }

    /// <summary>
    /// Every pod start waits for capture, so an empty namespace (an init container's) costs one transaction and
    /// nothing else: the tables are listed over netlink and from /proc, no tool is probed, no table that is not there
    /// is read. Counted, not timed: strace records each process the command starts.
    /// </summary>
    [NetnsTheory]
    [InlineData("auto", "iptables-nft-restore")]
    [InlineData("iptables-legacy", "iptables-legacy-restore")]
    [InlineData("nft", "nft")]
    public async Task EmptyNamespace_ApplyStartsOnlyTheTransaction(string backend, string transaction)
    {
        if (!File.Exists("/usr/bin/strace"))
        {
            Assert.Fail("strace is needed to count the processes capture starts: apt-get install strace");
        }

        await using var ns = await TestNamespace.CreateAsync();
        var trace = Path.Combine(Path.GetTempPath(), $"wl-{RunId.Value}-{backend}.strace");
        try
        {
            // -z: only calls that succeeded, each printed whole once it returned (no "unfinished" halves).
            var result = await ns.RunAsync("strace", "-f", "-qq", "-z", "-e", "trace=execve", "-o", trace,
                WaylayCli.CapturePath, "capture", "-p", "15001", "-u", "1337", "-m", "REDIRECT", "-i", "*", "-x", "", "-b", "9080,", "-d", "", "--backend", backend);
            Assert.True(result.Succeeded, result.Diagnostic);
            var started = (await File.ReadAllLinesAsync(trace))
                .Where(l => l.Contains("execve(\"", StringComparison.Ordinal))
                .Select(l => Path.GetFileName(l.Split('"')[1]))
                .Skip(1) // the command itself
                .ToList();
            Assert.Equal([transaction], started);
        }
        finally
        {
            File.Delete(trace);
        }
    }

    [NetnsFact]
    public async Task NewFlags_ReplaceExactlyWaylaysPart()
    {
        await using var ns = await TestNamespace.CreateAsync();
        await ns.CaptureAsync("-m", "TPROXY", "-i", "*", "-b", "*", "--ipv6");
        await ns.CaptureAsync("-i", "*", "-b", "9080", "--verify");

        var v4 = await ns.RunAsync("iptables-save");
        Assert.DoesNotContain("ISTIO_TPROXY", v4.StandardOutput);
        Assert.DoesNotContain("ISTIO", (await ns.RunAsync("ip6tables-save")).StandardOutput);
        Assert.Single(v4.StandardOutput.Split('\n'), l => l == "-A OUTPUT -p tcp -j ISTIO_OUTPUT");
        Assert.DoesNotContain("lookup 133", (await ns.RunAsync("ip", "rule", "show")).StandardOutput);
    }

    [NetnsFact]
    public async Task Auto_FollowsTheLegacyRulesAlreadyThere()
    {
        await using var ns = await TestNamespace.CreateAsync();
        Assert.True((await ns.RunAsync("iptables-legacy", "-t", "nat", "-A", "POSTROUTING", "-j", "RETURN")).Succeeded);
        var result = await ns.CaptureAsync("-i", "*", "-b", "9080");
        Assert.Contains("iptables-legacy", result.StandardError);
        Assert.Contains("ISTIO_OUTPUT", (await ns.RunAsync("iptables-legacy-save")).StandardOutput);
        Assert.DoesNotContain("ISTIO", (await ns.RunAsync("iptables-nft-save")).StandardOutput);
    }

    [NetnsFact]
    public async Task Auto_FollowsTheNftRulesAlreadyThere()
    {
        await using var ns = await TestNamespace.CreateAsync();
        Assert.True((await ns.RunAsync("iptables-nft", "-t", "nat", "-A", "POSTROUTING", "-j", "RETURN")).Succeeded);
        var result = await ns.CaptureAsync("-i", "*", "-b", "9080");
        Assert.Contains("iptables-nft", result.StandardError);
        Assert.Contains("ISTIO_OUTPUT", (await ns.RunAsync("iptables-nft-save")).StandardOutput);
        Assert.Equal("", (await ns.RunAsync("cat", "/proc/net/ip_tables_names")).StandardOutput.Trim());
    }

    [NetnsFact]
    public async Task SwitchingBackend_MovesTheRules()
    {
        await using var ns = await TestNamespace.CreateAsync();
        await ns.CaptureAsync("-i", "*", "-b", "9080", "--backend", "iptables-nft");
        await ns.CaptureAsync("-i", "*", "-b", "9080", "--backend", "nft", "--verify");
        Assert.DoesNotContain("ISTIO", (await ns.RunAsync("iptables-nft-save")).StandardOutput);
        Assert.Contains("waylay-nat", (await ns.RunAsync("nft", "list", "tables")).StandardOutput);
    }

    private static async Task<string> Save(TestNamespace ns)
    {
        ExecResult v4 = await ns.RunAsync("iptables-nft-save"), v6 = await ns.RunAsync("ip6tables-nft-save");
        return string.Join('\n', (v4.StandardOutput + v6.StandardOutput).Split('\n').Where(l => !l.StartsWith('#')));
    }
}
