using Waylay.Linux;

namespace Waylay.Capture.Apply;

/// <summary>
/// Where the rules go: the current namespace (inside the pod, as the init container runs) or another one, entered with
/// nsenter for each command so this process itself never changes namespace.
/// </summary>
public sealed record NetworkNamespace(string? Path)
{
    public static readonly NetworkNamespace Current = new((string?)null);

    /// <summary>A name from `ip netns` (/run/netns/NAME) or a path such as /proc/PID/ns/net.</summary>
    public static NetworkNamespace Parse(string? nameOrPath)
    {
        if (string.IsNullOrWhiteSpace(nameOrPath))
        {
            return Current;
        }

        var path = nameOrPath.Contains('/') ? nameOrPath : $"/run/netns/{nameOrPath}";
        if (!File.Exists(path))
        {
            throw new CaptureException($"--netns '{nameOrPath}': no such network namespace ({path} does not exist); list them with 'ip netns list'");
        }

        return new NetworkNamespace(path);
    }

    public Task<ExecResult> RunAsync(string tool, IReadOnlyList<string> arguments, string? input = null, CancellationToken cancellationToken = default) =>
        Path is null
            ? Exec.RunAsync(tool, arguments, input, cancellationToken)
            : Exec.RunAsync("nsenter", ["--net=" + Path, "--", tool, .. arguments], input, cancellationToken);

    /// <summary>
    /// A file under /proc/net as this namespace sees it, or null when it does not exist (the module is not loaded).
    /// In the current namespace it is read directly; in another one through nsenter, since /proc/net is the reader's.
    /// </summary>
    public async Task<string?> ReadProcNetAsync(string name, CancellationToken cancellationToken = default)
    {
        var file = "/proc/net/" + name;
        if (Path is null)
        {
            try
            {
                return File.ReadAllText(file);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
        }

        var result = await RunAsync("cat", [file], null, cancellationToken);
        return result.Succeeded ? result.StandardOutput : null;
    }

    public override string ToString() => Path ?? "the current network namespace";
}
