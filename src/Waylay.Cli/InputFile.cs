using Waylay.Commands;

namespace Waylay.Cli;

/// <summary>
/// A file named on the command line (<c>--values</c>, <c>--cert</c>, …): missing, a directory or unreadable is the
/// user's to fix, so each is a <see cref="UsageException"/> naming the flag, the path, the problem and the fix (exit 2).
/// </summary>
internal static class InputFile
{
    /// <summary>Throws a usage error unless <paramref name="path"/> is a file this process can open for reading.</summary>
    public static void Check(string flag, string path, string fix)
    {
        try
        {
            using var _ = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new UsageException($"{flag} {path}: {Problem(path, e)}; {fix}");
        }
    }

    public static async Task<string> ReadAllTextAsync(string flag, string path, string fix, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new UsageException($"{flag} {path}: {Problem(path, e)}; {fix}");
        }
    }

    private static string Problem(string path, Exception e) => e switch
    {
        _ when string.IsNullOrWhiteSpace(path) => "an empty path",
        _ when Directory.Exists(path) => "is a directory, not a file",
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        _ => $"cannot be read ({e.Message})",
    };
}
