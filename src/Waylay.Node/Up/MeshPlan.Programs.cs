using Waylay.Node.Processes;

namespace Waylay.Node.Up;

internal sealed partial record MeshPlan
{
    /// <summary>
    /// Under the process runtime, every container that runs as a user other than root can start its program: a
    /// program that user cannot reach (Waylay checked out in root's 0700 home, and the sidecar running as 1337) is
    /// refused now, naming the directory and the fix, instead of a pod that restarts for ever and a run that never
    /// becomes ready. Each program, user and group is asked once.
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

                var what = blocker == program ? $"{program} is not executable by it" : $"it may not enter {blocker}";
                throw new UpInputException(
                    $"pod {planned.Namespace}/{planned.Pod.Name}: container {container.Name} runs as uid {uid} (gid {gid}) and could not start {program}: {what}. " +
                    $"Put Waylay where every user can reach its programs (a checkout under /opt or /srv rather than root's home), " +
                    $"or let other users {(blocker == program ? "execute it" : "enter that directory")} (chmod o+x {blocker})");
            }
        }
    }
}
