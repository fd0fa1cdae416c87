using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>&lt;sys/resource.h&gt;: the open-file limit a relay lives within (two descriptors per connection).</summary>
public static unsafe partial class Resource
{
    /// <summary>RLIMIT_NOFILE on Linux (asm-generic/resource.h).</summary>
    public const int RlimitNoFile = 7;

    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, RLimit* limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    public static partial int SetRLimit(int resource, RLimit* limit);

    /// <summary>Reads the open-file limit; null when the call fails.</summary>
    public static RLimit? GetOpenFileLimit()
    {
        RLimit limit;
        return GetRLimit(RlimitNoFile, &limit) == 0 ? limit : null;
    }

    /// <summary>Raises the soft open-file limit to the hard one; returns the soft limit now in force.</summary>
    public static ulong RaiseOpenFileLimitToHard()
    {
        RLimit limit;
        if (GetRLimit(RlimitNoFile, &limit) != 0)
        {
            return 0;
        }

        if (limit.Current < limit.Maximum)
        {
            var raised = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
            if (SetRLimit(RlimitNoFile, &raised) == 0)
            {
                return raised.Current;
            }
        }

        return limit.Current;
    }
}
