using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Waylay.LoadGen.Http;

/// <summary>
/// Nanoseconds on CLOCK_MONOTONIC and an absolute sleep on the same clock. The open-loop generator needs to wake at
/// its scheduled send times with microsecond precision: Task.Delay and timers round to milliseconds, which would add
/// their own lateness to every latency (measured from the scheduled time) and swamp the ~100 µs a proxy adds.
/// </summary>
internal static partial class MonotonicClock
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsTime = 1;

    // Stopwatch reads CLOCK_MONOTONIC on Linux with a frequency of 1 GHz; checked once so a different runtime fails
    // loudly instead of mis-scaling every latency.
    static MonotonicClock()
    {
        if (Stopwatch.Frequency != 1_000_000_000)
        {
            throw new PlatformNotSupportedException($"Stopwatch.Frequency is {Stopwatch.Frequency}, expected 1e9 (CLOCK_MONOTONIC in ns)");
        }
    }

    public static long NowNs => Stopwatch.GetTimestamp();

    /// <summary>Sleeps until <paramref name="deadlineNs"/> (same clock as <see cref="NowNs"/>); returns at once if it has passed.</summary>
    public static void SleepUntil(long deadlineNs)
    {
        var spec = new Timespec { Seconds = deadlineNs / 1_000_000_000, Nanoseconds = deadlineNs % 1_000_000_000 };
        // EINTR (4) is the only error that can happen with valid arguments: sleep again until the deadline.
        while (ClockNanosleep(ClockMonotonic, TimerAbsTime, ref spec, IntPtr.Zero) == 4)
        {
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, ref Timespec request, IntPtr remaining);
}
