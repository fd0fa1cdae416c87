using System.Globalization;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Tests.Cli;

/// <summary>
/// The memory settings the NativeAOT sidecar is built with (src/Waylay.Sidecar/Waylay.Sidecar.csproj) are the ones
/// it runs with: its small gen0 budget, and no OpenSSL loaded (the mesh file's hash is not a cryptographic one).
/// </summary>
public sealed class SidecarMemoryTests
{
    [NativeSidecarFact]
    public async Task NativeSidecar_RunsWithItsGen0Budget_AndWithoutOpenSsl()
    {
        await using var ns = await TestNamespace.CreateAsync();
        var proxy = await TestProxy.StartAsync(ns);

        var scrape = await PrometheusScrape.FetchAsync(ns, TestProxy.AdminPort);
        var budget = Assert.Single(scrape.Samples, s => s.Name == "waylay_server_memory_gen0_budget").Value;
        var maps = await File.ReadAllTextAsync($"/proc/{proxy.Pid.ToString(CultureInfo.InvariantCulture)}/maps");

        Assert.Equal(1024 * 1024, budget);
        Assert.DoesNotContain("libcrypto", maps, StringComparison.Ordinal);
        Assert.DoesNotContain("libssl", maps, StringComparison.Ordinal);
    }
}
