using Waylay.Linux;

namespace Waylay.TestKit;

/// <summary>
/// The real `waylay` executable, built with the tests (TestKit references Waylay.Cli, so its apphost and dll land in
/// the test output): tests drive it exactly as a user or an init container would.
/// </summary>
public static class WaylayCli
{
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "waylay");

    /// <summary>
    /// What `capture …` runs: the build an init container runs, the NativeAOT binary when ./test.sh publishes it
    /// (<c>WAYLAY_PROXY_BINARY</c>, whose `capture` is the CLI's own command), else the CLI's JIT build.
    /// </summary>
    public static string CapturePath { get; } = Environment.GetEnvironmentVariable("WAYLAY_PROXY_BINARY") is { Length: > 0 } aot ? aot : Path;

    public static Task<ExecResult> RunAsync(params string[] arguments) =>
        Exec.RunAsync(arguments is ["capture", ..] ? CapturePath : Path, arguments);

    /// <summary>
    /// Asserts the CLI contract for refused input (README "Exit codes"): <paramref name="exitCode"/> (2 usage, 1
    /// failure), <paramref name="message"/> on stderr after "waylay", nothing on stdout, and no stack trace.
    /// </summary>
    public static void AssertRefused(ExecResult result, int exitCode, string message)
    {
        var what = $"exit {result.ExitCode}, stderr:{Environment.NewLine}{result.StandardError}{Environment.NewLine}stdout:{Environment.NewLine}{result.StandardOutput}";
        Xunit.Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}; {what}");
        Xunit.Assert.True(result.StandardError.Contains(message, StringComparison.Ordinal), $"expected '{message}' on stderr; {what}");
        Xunit.Assert.StartsWith("waylay", result.StandardError, StringComparison.Ordinal);
        Xunit.Assert.DoesNotContain("Unhandled exception", result.StandardError, StringComparison.Ordinal);
        Xunit.Assert.DoesNotContain("   at ", result.StandardError, StringComparison.Ordinal);
        Xunit.Assert.True(result.StandardOutput.Length == 0, $"expected nothing on stdout; {what}");
    }

    /// <summary>Runs `waylay capture --netns NS ARGS…` (istio-iptables flags) and throws with its own words on failure.</summary>
    public static async Task<ExecResult> CaptureAsync(this TestNamespace ns, params string[] arguments)
    {
        var result = await Exec.RunAsync(CapturePath, ["capture", "--netns", ns.Name, .. arguments]);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"waylay capture {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Diagnostic}");
        }

        return result;
    }
}
