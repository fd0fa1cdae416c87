namespace Waylay.Node.Processes;

/// <summary>
/// The kubelet's cap on container logs (<c>containerLogMaxSize</c>, 10 MiB), the way logrotate's copytruncate does
/// it: a container's stdout is a shell's <c>&gt;&gt;</c> (O_APPEND) on its log file, which cannot be reopened under the
/// process, so a log past the cap is copied to <c>&lt;c&gt;.log.1</c> (replacing the one before) and truncated, and the
/// container's next write lands at the new start. Lines written between the copy and the truncate are lost, the known
/// cost of copytruncate. Run by the supervisor on its sync period.
/// </summary>
internal static class ContainerLogRotation
{
    public const long MaxBytes = 10 * 1024 * 1024;

    /// <summary>Rotates every log of the run that is over <paramref name="maxBytes"/>; returns how many it rotated.</summary>
    public static int Rotate(string stateDirectory, long maxBytes = MaxBytes)
    {
        var pods = Path.Combine(stateDirectory, "pods");
        if (!Directory.Exists(pods))
        {
            return 0;
        }

        var rotated = 0;
        foreach (var log in Directory.EnumerateFiles(pods, "*.log", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2 }))
        {
            try
            {
                if (new FileInfo(log).Length <= maxBytes)
                {
                    continue;
                }

                File.Copy(log, log + ".1", overwrite: true);
                using (var file = new FileStream(log, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
                {
                    file.SetLength(0);
                }

                rotated++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the pod was removed meanwhile: nothing to cap
            }
        }

        return rotated;
    }
}
