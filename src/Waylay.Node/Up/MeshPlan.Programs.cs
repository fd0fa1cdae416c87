using Waylay.Node.Processes;

namespace Waylay.Node.Up;

internal sealed partial record MeshPlan
{
    /// <summary>
    /// Under the process runtime, every container that runs as a user other than root can start its program. A
    /// directory on the way that user may not enter (Waylay checked out in root's 0700 home, and the sidecar running as
    /// 1337) is made enterable in the pod when it starts (<see cref="Pods.PodMounter"/>, step 8), the machine's left as
    /// it is; a program file that user may not execute is refused now, naming the file and the fix, instead of a pod
    /// that restarts for ever and a run that never becomes ready. Each program, user and group is asked once.
    /// </summary>
    private static void CheckProgramAccess(IReadOnlyList<PlannedPod> pods)
    {
        var asked = new HashSet<(string Program, uint Uid, uint Gid)>();
        foreach (var planned in pods)
        {
            foreach (var container in planned.Pod.InitContainers.Concat(planned.Pod.Containers))
            {
                var spec = container.Template;
                // Root (no runAsUser, or 0) enters any directory; a program found on PATH is the machine's own.
                if (spec.RunAsUser is not ({ } uid and > 0) || spec.Command is not [var program, ..] || !Path.IsPathRooted(program))
                {
                    continue;
                }

                var gid = spec.RunAsGroup ?? uid;
                if (!asked.Add((program, uid, gid)) || ProgramAccess.Blocker(program, uid, gid) is not { } blocker)
                {
                    continue;
                }

                var why = $"pod {planned.Namespace}/{planned.Pod.Name}: container {container.Name} runs as uid {uid} (gid {gid}) and could not start {program}: ";
                var notExecutable = $"it is not executable by other users. Let them execute it (chmod o+x {program}), or build Waylay with the usual umask (022)";
                if (blocker == program || !File.Exists(program))
                {
                    throw new UpInputException(why + notExecutable);
                }

                // A directory. The pod opens exactly those that others may not enter (PodMounter, step 8); one that
                // others may enter but this user may not (its group's bits, an ACL) would stop the container there too.
                if ((File.GetUnixFileMode(blocker) & UnixFileMode.OtherExecute) != 0)
                {
                    throw new UpInputException(why +
                        $"it may not enter {blocker}, though other users may (the directory's group bits or an ACL keep it out). Let it in (chmod g+x {blocker}), or run the container as another user");
                }

                // Behind a directory the pod opens, the user's own check stopped; the file's mode decides.
                if ((File.GetUnixFileMode(program) & UnixFileMode.OtherExecute) == 0)
                {
                    throw new UpInputException(why + notExecutable);
                }
            }
        }
    }
}
