using System.Diagnostics;

namespace Waylay.Node.Processes;

/// <summary>
/// Starts a long-lived process that does not depend on the runtime: stdin from /dev/null, stdout and stderr appended
/// to a file (or /dev/null), environment exactly as given. A tiny <c>sh</c> sets up the descriptors and then
/// <c>exec</c>s, as do nsenter (without --pid) and setpriv after it, so the PID returned is the program's own from start
/// to end: the PID (with its start time) is what the state records and what stop and teardown signal.
/// </summary>
internal static class ProcessLauncher
{
    private const string Redirect = "exec </dev/null >>\"$0\" 2>&1; exec \"$@\"";

    public static Process Start(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, string? logFile)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in (IEnumerable<string>)["-c", Redirect, logFile ?? "/dev/null", .. argv])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start {argv[0]}");
    }
}
