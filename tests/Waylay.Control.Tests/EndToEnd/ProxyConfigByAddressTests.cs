using System.Text.Json;
using Waylay.TestKit;

namespace Waylay.Control.Tests.EndToEnd;

/// <summary>
/// <c>waylay proxy-config 127.0.0.1:15000 …</c> run inside the sidecar's namespace (<see cref="DiscoveryLab"/>: a real
/// sidecar fed by a real <c>waylay control</c>): the routes the proxy holds are the streamed VirtualService, and a
/// live edit of it shows on the next read.
/// </summary>
public sealed class ProxyConfigByAddressTests
{
    private const string Reviews = "reviews.default.svc.cluster.local";

    [NetnsFact]
    public async Task ProxyConfigByAddress_ShowsTheStreamedVirtualService_ThenItsLiveEdit()
    {
        await using var lab = await DiscoveryLab.StartAsync("v3");
        Assert.Equal("v3", await SubsetAsync(lab));

        var table = await lab.Pod.Namespace.RunAsync(WaylayCli.Path, "proxy-config", "127.0.0.1:15000", "routes");
        Assert.True(table.Succeeded, table.Diagnostic);
        Assert.Contains($"proxy 127.0.0.1:15000: config version", table.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"from discovery {lab.Control.Address} (connected", table.StandardOutput, StringComparison.Ordinal);
        Assert.Matches($@"{Reviews}:9080\s+/\*\s+{Reviews}:9080 subset v3 100%", table.StandardOutput);

        lab.Control.WriteManifest("virtual-service.yaml", DiscoveryLab.RouteAllTo("v1"));
        await Poll.UntilAsync(async () => await SubsetAsync(lab) == "v1", "proxy-config to show the edited VirtualService", () => SubsetAsync(lab)!);

        // Nothing listens at the address given: a failure (exit 1) that says where the admin API is.
        var missing = await lab.Pod.Namespace.RunAsync(WaylayCli.Path, "proxy-config", "127.0.0.1:15999", "routes");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("the proxy's admin API at 127.0.0.1:15999 did not answer", missing.StandardError, StringComparison.Ordinal);
    }

    /// <summary>The subset reviews' only route sends to, as <c>proxy-config … routes -o json</c> prints it.</summary>
    private static async Task<string?> SubsetAsync(DiscoveryLab lab)
    {
        var result = await lab.Pod.Namespace.RunAsync(WaylayCli.Path, "proxy-config", "127.0.0.1:15000", "routes", "-o", "json");
        Assert.True(result.Succeeded, result.Diagnostic);
        var route = JsonDocument.Parse(result.StandardOutput).RootElement.EnumerateArray().Single(r => r.GetProperty("name").GetString() == $"{Reviews}:9080");
        Assert.Equal("reviews.default", route.GetProperty("virtualService").GetString());
        return Assert.Single(route.GetProperty("http").EnumerateArray()).GetProperty("route")[0].GetProperty("subset").GetString();
    }
}
