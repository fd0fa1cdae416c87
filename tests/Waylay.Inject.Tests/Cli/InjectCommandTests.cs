using Waylay.TestKit;
using Xunit;

namespace Waylay.Inject.Tests.Cli;

/// <summary>
/// `waylay inject` through the real binary: every file named on the command line that is missing, a directory,
/// unreadable YAML or unwritable is a usage error (exit 2) naming the flag or file and the fix, with no stack trace.
/// </summary>
public sealed class InjectCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateDirectory($"/tmp/{RunId.Next("inject-cli")}").FullName;

    public static TheoryData<string, string[], string> BadInput => new()
    {
        { "missing -f", ["-f", "/nonexistent/pod.yaml"], "/nonexistent/pod.yaml: no such file or directory; pass a manifest file" },
        { "-f directory without manifests", ["-f", "{dir}/empty"], "the directory has no .yaml, .yml or .json files" },
        { "-f not YAML", ["-f", "{dir}/bad.yaml"], "{dir}/bad.yaml: line 2, column 1:" },
        { "no -f", [], "no manifest given; pass -f FILE, -f DIR or -f - to read stdin" },
        { "missing --values", ["-f", "{dir}/pod.yaml", "--values", "/nonexistent/values.yaml"], "--values /nonexistent/values.yaml: no such file; give the path of a values file" },
        { "--values empty", ["--print-values", "--values", ""], "--values : an empty path; give the path of a values file" },
        { "--values a directory", ["--print-values", "--values", "{dir}"], "--values {dir}: is a directory, not a file" },
        { "--values not YAML", ["-f", "{dir}/pod.yaml", "--values", "{dir}/bad.yaml"], "{dir}/bad.yaml: line 2, column 1:" },
        { "--values with an unknown key", ["--print-values", "--values", "{dir}/unknown.values.yaml"], "invalid injection values" },
        { "-o in a missing directory", ["-f", "{dir}/pod.yaml", "-o", "/nonexistent/out.yaml"], "-o /nonexistent/out.yaml: cannot write there" },
        { "-o a directory", ["-f", "{dir}/pod.yaml", "-o", "{dir}"], "-o {dir}: cannot write there" },
        { "unknown flag", ["--frobnicate"], "Unrecognized command or argument '--frobnicate'" },
    };

    public InjectCommandTests()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "empty"));
        File.WriteAllText(Path.Combine(_directory, "bad.yaml"), "a: [\n");
        File.WriteAllText(Path.Combine(_directory, "unknown.values.yaml"), "frobnicate: 1\n");
        File.Copy(Path.Combine(TestData.InjectDirectory, "pod.yaml"), Path.Combine(_directory, "pod.yaml"));
    }

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task BadInput_ExitsTwo_NamingTheProblemAndTheFix(string what, string[] arguments, string message)
    {
        _ = what;
        var result = await WaylayCli.RunAsync(["inject", .. arguments.Select(a => a.Replace("{dir}", _directory, StringComparison.Ordinal))]);
        WaylayCli.AssertRefused(result, 2, message.Replace("{dir}", _directory, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GoodInput_ExitsZero_AndWritesTheOutputFile()
    {
        var output = Path.Combine(_directory, "out.yaml");
        var result = await WaylayCli.RunAsync("inject", "-f", Path.Combine(_directory, "pod.yaml"), "-o", output);
        Assert.True(result.Succeeded, result.Diagnostic);
        Assert.Contains("waylay-proxy", await File.ReadAllTextAsync(output));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
