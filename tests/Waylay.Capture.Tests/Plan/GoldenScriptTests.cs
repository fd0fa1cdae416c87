using Waylay.TestKit;
using Xunit;

namespace Waylay.Capture.Tests.Plan;

/// <summary>
/// The scripts `waylay capture --dry-run` prints, per backend, against golden files. Regenerate with
/// WAYLAY_UPDATE_GOLDEN=1 after a deliberate change, and review the diff: it is the rule change users will get.
/// </summary>
public sealed class GoldenScriptTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in CaptureCases.All.Keys)
        {
            data.Add(name, "iptables");
            data.Add(name, "nft");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task DryRun_MatchesGoldenScript(string name, string backend)
    {
        var result = await WaylayCli.RunAsync(["capture", .. CaptureCases.All[name], "--backend", backend, "--dry-run"]);
        Assert.True(result.Succeeded, result.Diagnostic);
        Assert.Empty(result.StandardError);

        var golden = Path.Combine(SourceDirectory(), "Golden", $"{name}.{backend}");
        if (Environment.GetEnvironmentVariable("WAYLAY_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(golden, result.StandardOutput);
        }

        Assert.True(File.Exists(golden), $"{golden} is missing; run the tests once with WAYLAY_UPDATE_GOLDEN=1");
        Assert.Equal(await File.ReadAllTextAsync(golden), result.StandardOutput);
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
