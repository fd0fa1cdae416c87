using System.Diagnostics;

namespace Waylay.Node.Processes;

/// <summary>
/// Whether the user a container runs as can start its program. Under the process runtime a container is a program of
/// this machine started through setpriv as its securityContext's uid/gid (<see cref="ContainerCommand"/>); a program
/// it cannot start fails at exec on every restart, and the pod never becomes ready. The kernel is asked itself,
/// through the same setpriv and with the same groups (none), so modes, ACLs and mounts all count as they will when the
/// container starts, but for the directories others may not enter (a checkout in root's 0700 home), which the pod
/// opens (Pods/PodMounter.cs, step 8): the plan reads past those (Up/MeshPlan.Programs.cs).
/// </summary>
internal static class ProgramAccess
{
    /// <summary>
    /// Null when <paramref name="uid"/>:<paramref name="gid"/> can execute <paramref name="program"/> (an absolute
    /// path); else the first path on the way that stops it: a directory it may not enter, or the file itself.
    /// </summary>
    public static string? Blocker(string program, uint uid, uint gid)
    {
        var steps = new List<string>();
        for (var directory = Path.GetDirectoryName(program); !string.IsNullOrEmpty(directory) && directory != "/"; directory = Path.GetDirectoryName(directory))
        {
            steps.Insert(0, directory);
        }

        steps.Add(program);
        // Each directory in turn from the root (the first one it cannot enter is the one to name), then the program:
        // one process for the whole way.
        var asUser = ContainerCommand.AsUser(uid, gid);
        var start = new ProcessStartInfo(asUser[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (IEnumerable<string>)[
            .. asUser[1..], "/bin/sh", "-c", "for p; do test -x \"$p\" || { echo \"$p\"; exit 1; }; done", "sh", .. steps])
        {
            start.ArgumentList.Add(argument);
        }

        using var check = Process.Start(start) ?? throw new InvalidOperationException("could not start setpriv");
        var output = check.StandardOutput.ReadToEnd();
        var errors = check.StandardError.ReadToEnd();
        check.WaitForExit();
        return check.ExitCode switch
        {
            0 => null,
            1 when output.Trim() is { Length: > 0 } blocker => blocker,
            _ => throw new InvalidOperationException($"setpriv could not check {program} as uid {uid}: {errors.Trim()}"),
        };
    }
}
