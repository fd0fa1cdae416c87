using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests.Experiments;

[Collection(MeshCollection.Name)]
public sealed class TrafficPathsTests(TwoPodMesh mesh)
{
    [NetnsFact]
    public async Task AllSevenSources_GoTheSeedsWay_ConfirmedForReal_AndTheReportIsWritten()
    {
        var directory = Directory.CreateTempSubdirectory(RunId.Next("tp")).FullName;
        try
        {
            var result = await MeshCollection.CliAsync(mesh, "experiment", "traffic-paths", "--target", "details", "--report", directory);

            Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}");
            var report = await File.ReadAllTextAsync(Path.Combine(directory, "traffic-paths.md"));
            Assert.Equal(result.StandardOutput, report);
            Assert.Equal(7, report.Split('\n').Count(l => l.EndsWith("| as the seed says, confirmed |", StringComparison.Ordinal)));
            // (1): the gateway (not injected) routes GET /details/0 by its VirtualService, logs it, pools an upstream to
            // the details pod, whose PREROUTING captures it to 15006 and whose proxy relays it inbound.
            var one = report[report.IndexOf("## (1)", StringComparison.Ordinal)..report.IndexOf("## (2)", StringComparison.Ordinal)];
            Assert.Contains("VirtualService default/details routes /details/0 to service", one, StringComparison.Ordinal);
            Assert.Matches(@"seen: istio-ingressgateway-\S+: the proxy's access log has GET /details/0 — .*""GET /details/0 HTTP/1\.1"" 200", one);
            Assert.Contains("REDIRECT to eth0's address:15006", one, StringComparison.Ordinal);
            Assert.Matches(@"seen: details-\S+: the proxy's /connections has an inbound pair", one);
            // (4): the caller's sidecar is let through by its own OUTPUT (uid 1337), and captured by the callee's PREROUTING.
            var four = report[report.IndexOf("## (4)", StringComparison.Ordinal)..report.IndexOf("## (5)", StringComparison.Ordinal)];
            Assert.Contains("waylay-proxy (uid 1337) connects: not captured", four, StringComparison.Ordinal);
            Assert.Contains("REDIRECT to eth0's address:15006", four, StringComparison.Ordinal);
            Assert.DoesNotContain("**not seen**", report, StringComparison.Ordinal);

            // tcpdump in the target's namespace saw the gateway's connection arrive at details:9080, by name.
            Assert.Matches(@"IP istio-ingressgateway-\S+\.\d+ > details-\S+\.9080: Flags \[", one);
            // Each source's drawing: well-formed SVG, one box per step, the confirmed path outlined in green.
            for (var n = 1; n <= 7; n++)
            {
                Assert.Contains($"![the path of ({n})](source-{n}.svg)", report, StringComparison.Ordinal);
                var svg = System.Xml.Linq.XDocument.Load(Path.Combine(directory, $"source-{n}.svg"));
                Assert.Equal("{http://www.w3.org/2000/svg}svg", svg.Root!.Name.ToString());
                Assert.Contains(svg.Descendants("{http://www.w3.org/2000/svg}rect"), r => (string?)r.Attribute("stroke") == "#2e7d32");
                Assert.DoesNotContain(svg.Descendants("{http://www.w3.org/2000/svg}rect"), r => (string?)r.Attribute("stroke") == "#c62828");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [NetnsFact]
    public async Task TwoNodesAsked_OfAOneNodeRun_IsRefusedWithTheFix()
    {
        var result = await MeshCollection.CliAsync(mesh, "experiment", "traffic-paths", "--target", "details", "--nodes", "2");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("has 1 node(s); bring one up with waylay up samples/bookinfo --nodes 2", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("", result.StandardOutput);
    }
}
