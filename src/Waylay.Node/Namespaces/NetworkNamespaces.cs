using System.Globalization;
using Waylay.Linux;

namespace Waylay.Node.Namespaces;

/// <summary>
/// Named network namespaces through iproute2 (<c>ip netns</c>): a bind mount under /run/netns keeps each alive
/// without a process, and a name is what CNI_NETNS, nsenter and teardown refer to.
/// </summary>
internal static class NetworkNamespaces
{
    public static string PathOf(string name) => $"/run/netns/{name}";

    public static bool Exists(string name) => File.Exists(PathOf(name));

    /// <summary>
    /// Refuses a name that is taken (another run with the same id?). Called before the name is recorded, so teardown
    /// never removes a namespace this run did not make.
    /// </summary>
    public static void EnsureFree(string name)
    {
        if (Exists(name))
        {
            throw new InvalidOperationException(
                $"network namespace {name} already exists: another run with the same id is live or crashed; tear it down first (its state directory) or pick another run id");
        }
    }

    /// <summary>Makes the namespace with its loopback up; an existing one of that name is an error.</summary>
    public static async Task AddAsync(string name, CancellationToken cancellationToken)
    {
        EnsureFree(name);
        Require(await Exec.RunAsync("ip", ["netns", "add", name], null, cancellationToken), $"ip netns add {name}");
        Require(await Exec.RunAsync("ip", ["-n", name, "link", "set", "lo", "up"], null, cancellationToken), $"ip -n {name} link set lo up");
    }

    /// <summary>Runs a command inside the namespace (nsenter --net; the caller's mount namespace is kept).</summary>
    public static Task<ExecResult> RunAsync(string name, IReadOnlyList<string> command, CancellationToken cancellationToken) =>
        Exec.RunAsync("nsenter", ["--net=" + PathOf(name), "--", .. command], null, cancellationToken);

    /// <summary>The PIDs of every process whose network namespace this is.</summary>
    public static async Task<IReadOnlyList<int>> PidsAsync(string name, CancellationToken cancellationToken)
    {
        if (!Exists(name))
        {
            return [];
        }

        var result = await Exec.RunAsync("ip", ["netns", "pids", name], null, cancellationToken);
        return result.Succeeded
            ? [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture))]
            : [];
    }

    /// <summary>Deletes the namespace (its links and routes go with it) and its <c>/etc/netns/&lt;name&gt;</c>, if any.</summary>
    public static async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        if (Exists(name))
        {
            Require(await Exec.RunAsync("ip", ["netns", "del", name], null, cancellationToken), $"ip netns del {name}");
        }

        var etc = $"/etc/netns/{name}";
        if (Directory.Exists(etc))
        {
            Directory.Delete(etc, recursive: true);
        }
    }

    public static void Require(ExecResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{what} failed ({result.ExitCode}): {result.Diagnostic}");
        }
    }
}
