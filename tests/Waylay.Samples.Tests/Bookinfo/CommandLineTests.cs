using Waylay.Linux;

namespace Waylay.Samples.Tests.Bookinfo;

/// <summary>Bad command lines and environments: exit code 2, every problem named with its fix, nothing served.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData(new[] { "frontend" }, "'frontend' is not a Bookinfo service: give productpage, details, reviews or ratings")]
    [InlineData(new[] { "reviews", "--version", "v4" }, "reviews has no version 'v4': give v1, v2, v3")]
    [InlineData(new[] { "ratings", "--version", "v2" }, "ratings has no version 'v2': give v1")]
    [InlineData(new[] { "productpage", "--timeout", "3" }, "timeout '3' is not a duration: give a positive number with a unit")]
    [InlineData(new[] { "details", "--port", "70000" }, "--port 70000 is not a port")]
    [InlineData(new[] { "" }, "'' is not a Bookinfo service")]
    [InlineData(new string[0], "bookinfo --help shows the usage")]
    [InlineData(new[] { "details", "--colour", "red" }, "--colour")]
    public async Task BadArguments_ExitTwo_NamingTheProblemAndTheFix(string[] arguments, string message)
    {
        var result = await Exec.RunAsync(BookinfoProcess.Executable, arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryBadSetting_IsReportedAtOnce()
    {
        var result = await Exec.RunAsync("/usr/bin/env", ["BOOKINFO_RATINGS_PORT=http", "SERVICE_VERSION=v9", BookinfoProcess.Executable, "reviews", "--timeout", "soon"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("reviews has no version 'v9'", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("timeout 'soon' is not a duration", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("BOOKINFO_RATINGS_PORT='http' is not a port", result.StandardError, StringComparison.Ordinal);
    }
}
