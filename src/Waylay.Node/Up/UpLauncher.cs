using System.Diagnostics;

namespace Waylay.Node.Up;

/// <summary>
/// <c>waylay up</c> without <c>--foreground</c>: the supervisor must outlive the command, so the command starts itself
/// again as <c>waylay up --foreground …</c> in a session of its own (<c>setsid -f</c>: no terminal, no signal from the
/// shell's job control), stdin from /dev/null, stdout and stderr to <c>&lt;state&gt;/up.log</c> once the state directory
/// exists (the supervisor redirects itself), and waits for the status it writes there: Ready, Failed, or the
/// supervisor gone.
/// </summary>
internal static class UpLauncher
{
    public static void StartDetached(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // sh -c 'exec setsid -f "$@" …' sh <program> <args…>: no argument is ever parsed by the shell.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec setsid -f \"$@\" </dev/null >/dev/null 2>&1");
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var shell = Process.Start(start) ?? throw new InvalidOperationException("could not start /bin/sh to detach the supervisor");
        shell.WaitForExit();
        if (shell.ExitCode != 0)
        {
            throw new InvalidOperationException($"setsid -f {program} exited with {shell.ExitCode}; is util-linux installed?");
        }
    }

    /// <summary>Polls the run's status until Ready or Failed, or the supervisor is gone, or <paramref name="timeout"/>.</summary>
    public static async Task<MeshStatus> WaitAsync(string stateDirectory, TimeSpan timeout, Action<PodStatus>? changed, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var started = DateTime.UtcNow;
        while (true)
        {
            var status = MeshStatus.TryRead(stateDirectory);
            foreach (var pod in status?.Pods ?? [])
            {
                var key = $"{pod.Phase}/{pod.Ready}";
                if (!seen.TryGetValue(pod.Name, out var old) || old != key)
                {
                    seen[pod.Name] = key;
                    changed?.Invoke(pod);
                }
            }

            if (status is { Phase: MeshStatus.Ready or MeshStatus.Failed })
            {
                return status;
            }

            var supervisor = MeshStatus.Supervisor(stateDirectory);
            var gone = supervisor is { IsAlive: false } || (supervisor is null && DateTime.UtcNow - started > TimeSpan.FromSeconds(60));
            if (gone)
            {
                return (status ?? new MeshStatus(MeshStatus.Failed, null, null, [])) with { Phase = MeshStatus.Failed, Message = "the supervisor (waylay up --foreground) exited before the run was ready" };
            }

            if (DateTime.UtcNow > deadline)
            {
                return (status ?? new MeshStatus(MeshStatus.Failed, null, null, [])) with { Phase = MeshStatus.Failed, Message = $"not ready after {timeout.TotalSeconds:0} s" };
            }

            await Task.Delay(250, cancellationToken);
        }
    }
}
