using System.Diagnostics;
using System.Text;

namespace Waylay.Linux;

/// <summary>What a finished child process left behind.</summary>
public sealed record ExecResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The child's own words for a failure, falling back to stdout when it wrote nothing to stderr.</summary>
    public string Diagnostic => (StandardError.Length > 0 ? StandardError : StandardOutput).Trim();
}

/// <summary>
/// Runs the system tools (ip, iptables-restore, nft, nsenter) without a shell, so no argument is ever re-parsed.
/// </summary>
public static class Exec
{
    public static async Task<ExecResult> RunAsync(
        string file, IReadOnlyList<string> arguments, string? standardInput = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new ExecResult(127, "", $"{file}: {e.Message}");
        }

        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ExecResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<ExecResult> RunAsync(string file, params string[] arguments) => RunAsync(file, arguments, null);
}
