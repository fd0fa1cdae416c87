using System.Globalization;
using Waylay.Node.Pods;

namespace Waylay.Node.Processes;

/// <summary>
/// A container's argv and environment as a process of the pod: nsenter joins the pause process's network, mount and
/// UTS namespaces (and its working directory, if given), setpriv takes the securityContext's uid/gid with no
/// supplementary groups (uid 1337 has no passwd entry, so runuser/su cannot), then the container's own command runs.
/// The environment is the container's alone, with the PATH and HOSTNAME a container runtime provides.
/// </summary>
internal static class ContainerCommand
{
    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static IReadOnlyList<string> Argv(ContainerSpec container, int pausePid)
    {
        var argv = new List<string>
        {
            "/usr/bin/nsenter", "--target", pausePid.ToString(CultureInfo.InvariantCulture), "--net", "--mount", "--uts",
        };
        if (container.WorkingDirectory is { } directory)
        {
            argv.Add("--wd=" + directory);
        }

        argv.Add("--");
        if (container.RunAsUser is { } uid)
        {
            var gid = container.RunAsGroup ?? uid;
            argv.AddRange(AsUser(uid, gid));
        }
        else if (container.RunAsGroup is { } gid)
        {
            argv.AddRange(["/usr/bin/setpriv", $"--regid={gid}", "--clear-groups", "--"]);
        }

        argv.AddRange(container.Command);
        return argv;
    }

    /// <summary>
    /// The prefix that runs what follows as <paramref name="uid"/>:<paramref name="gid"/> with no supplementary groups:
    /// how a container takes its securityContext's user, and how its program's reach is checked beforehand
    /// (<see cref="ProgramAccess"/>).
    /// </summary>
    public static string[] AsUser(uint uid, uint gid) => ["/usr/bin/setpriv", $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "--"];

    public static IReadOnlyDictionary<string, string> Environment(ContainerSpec container, string hostname)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = DefaultPath,
            ["HOSTNAME"] = hostname,
        };
        foreach (var (key, value) in container.Environment)
        {
            environment[key] = value;
        }

        return environment;
    }
}
