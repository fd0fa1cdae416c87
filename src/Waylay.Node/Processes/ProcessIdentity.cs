using System.Globalization;

namespace Waylay.Node.Processes;

/// <summary>
/// A process as the kernel knows it: its PID and its start time (clock ticks after boot, field 22 of
/// <c>/proc/&lt;pid&gt;/stat</c>). PIDs are reused; the pair is not, so a recorded process is only ever signalled
/// while both still match, and a stale PID from a crashed run is never killed.
/// </summary>
internal readonly record struct ProcessIdentity(int Pid, ulong StartTime)
{
    /// <summary>The identity of a live PID, or null when no such process exists.</summary>
    public static ProcessIdentity? Of(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // comm (field 2) is in parentheses and may itself hold spaces or ')': split after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
        return new ProcessIdentity(pid, ulong.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    /// <summary>True while the very process this identity names is alive (a zombie counts as gone).</summary>
    public bool IsAlive
    {
        get
        {
            if (Of(Pid) is not { } now || now.StartTime != StartTime)
            {
                return false;
            }

            try
            {
                var stat = File.ReadAllText($"/proc/{Pid}/stat");
                return stat[stat.LastIndexOf(')') + 2] != 'Z';
            }
            catch (IOException)
            {
                return false;
            }
        }
    }

    /// <summary>Sends <paramref name="signal"/> only if this very process still runs.</summary>
    public bool Signal(int signal) => IsAlive && Linux.Signal.Kill(Pid, signal) == 0;

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>; returns when the process is gone.</summary>
    public async Task StopAsync(TimeSpan grace, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Signal(Linux.Signal.Sigterm))
        {
            return;
        }

        var deadline = time.GetUtcNow() + grace;
        while (IsAlive)
        {
            if (time.GetUtcNow() >= deadline)
            {
                Signal(Linux.Signal.Sigkill);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

}
