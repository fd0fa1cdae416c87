using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>&lt;signal.h&gt;: signalling a process by PID.</summary>
public static partial class Signal
{
    public const int Sigkill = 9;
    public const int Sigterm = 15;

    /// <summary>kill(2): 0 on success, -1 with errno (ESRCH: no such process).</summary>
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
