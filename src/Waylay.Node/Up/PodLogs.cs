using Waylay.Node.State;

namespace Waylay.Node.Up;

/// <summary>
/// <c>waylay logs POD [-c C] [-f]</c>: a container's stdout and stderr as the runtime keeps them
/// (<c>&lt;state&gt;/pods/&lt;pod&gt;/logs/&lt;c&gt;.log</c>, appended by every run of the container, so a restart
/// continues the same file). Following polls the file: new bytes are copied as they come, a file that shrank was
/// rotated (<see cref="ContainerLogRotation"/>) and is read again from its start, and the pod's removal (down, delete)
/// ends the follow.
/// </summary>
internal static class PodLogs
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    /// <summary>The log file of <paramref name="containerName"/> (default: the pod's app container).</summary>
    public static string File(RunPod pod, string? containerName)
    {
        var state = pod.Run;
        var name = pod.Name;
        var record = System.IO.File.Exists(state.ExecFile(name)) ? RunState.Read<ExecRecord>(state.ExecFile(name)) : null;
        var container = containerName ?? record?.Default?.Name
            ?? throw new PodLookupException($"pod {name} is still starting (phase {pod.Phase}); name its container with -c, or try again once waylay ps {pod.RunId} shows it Running");
        var path = state.LogFile(name, container);
        if (!System.IO.File.Exists(path))
        {
            var containers = record is null ? "" : $"; its containers: {string.Join(", ", record.Containers.Select(c => c.Name))}";
            throw new PodLookupException($"-c {container}: pod {name} has no log for that container (no {path}){containers}");
        }

        return path;
    }

    /// <summary>Copies the log to <paramref name="output"/>; with <paramref name="follow"/>, keeps copying until the
    /// file is removed or <paramref name="cancellationToken"/> fires.</summary>
    public static async Task CopyAsync(string path, Stream output, bool follow, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long position = 0;
        while (true)
        {
            try
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if (file.Length < position)
                {
                    position = 0; // rotated: the container writes at the start again
                }

                file.Position = position;
                int read;
                while ((read = await file.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    position += read;
                }

                await output.FlushAsync(cancellationToken);
            }
            catch (FileNotFoundException) when (follow)
            {
                return; // the pod is gone
            }
            catch (DirectoryNotFoundException) when (follow)
            {
                return;
            }

            if (!follow)
            {
                return;
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }
}
