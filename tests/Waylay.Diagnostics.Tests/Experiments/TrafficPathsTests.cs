using Waylay.TestKit;

namespace Waylay.Diagnostics.Tests.Experiments;

[Collection(MeshCollection.Name)]
public sealed class TrafficPathsTests(TwoPodMesh mesh)
{
    [NetnsFact]
    public async Task SourcesTwoToSeven_GoTheSeedsWay_ConfirmedForReal_AndTheReportIsWritten()
    {
        var directory = Directory.CreateTempSubdirectory(RunId.Next("tp")).FullName;
        try
        {
            var result = await MeshCollection.CliAsync(mesh, "experiment", "traffic-paths", "--target", "details", "--report", directory);

            Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}");
            var report = await File.ReadAllTextAsync(Path.Combine(directory, "traffic-paths.md"));
            Assert.Equal(result.StandardOutput, report);
            Assert.Equal(6, report.Split('\n').Count(l => l.EndsWith("| as the seed says, confirmed |", StringComparison.Ordinal)));
            Assert.Contains("| 1 | through the ingress gateway | not run: needs the ingress gateway", report, StringComparison.Ordinal);
            // (4): the caller's sidecar is let through by its own OUTPUT (uid 1337), and captured by the callee's PREROUTING.
            var four = report[report.IndexOf("## (4)", StringComparison.Ordinal)..report.IndexOf("## (5)", StringComparison.Ordinal)];
            Assert.Contains("waylay-proxy (uid 1337) connects: not captured", four, StringComparison.Ordinal);
            Assert.Contains("REDIRECT to eth0's address:15006", four, StringComparison.Ordinal);
            Assert.DoesNotContain("**not seen**", report, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
