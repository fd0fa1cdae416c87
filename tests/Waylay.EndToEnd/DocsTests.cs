using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit;

namespace Waylay.EndToEnd;

/// <summary>The documents stay true: every repository path they name exists, and the README shows the two commands.</summary>
public sealed partial class DocsTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(Here(), "..", ".."));

    public static TheoryData<string> Documents => new() { "docs/architecture.md", "README.md" };

    [Theory]
    [MemberData(nameof(Documents))]
    public void EveryPathNamed_Exists(string document)
    {
        var text = File.ReadAllText(Path.Combine(Root, document));
        var missing = PathPattern().Matches(text)
            .Select(m => m.Groups["path"].Value.TrimEnd('/'))
            .Distinct()
            .Where(p => !File.Exists(Path.Combine(Root, p)) && !Directory.Exists(Path.Combine(Root, p)))
            .ToList();
        Assert.True(missing.Count == 0, $"{document} names paths that do not exist: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Readme_ShowsTheTwoCommands()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        Assert.Contains("./waylay", readme);
        Assert.Contains("./test.sh", readme);
    }

    [Fact]
    public void CiRunsTestSh()
    {
        Assert.Contains("./test.sh", File.ReadAllText(Path.Combine(Root, ".ci", "run")));
    }

    // `src/…`, `tests/…`, `docs/…`, `samples/…`, `bench/…` in backquotes.
    [GeneratedRegex(@"`(?<path>(?:src|tests|docs|samples|bench|scripts)/[A-Za-z0-9_./-]+)`")]
    private static partial Regex PathPattern();

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
