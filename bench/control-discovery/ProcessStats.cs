using System.Globalization;

namespace Waylay.Bench.Control;

/// <summary>CPU seconds (utime+stime) and resident memory of a process, from /proc.</summary>
internal sealed record ProcessStats(double CpuSeconds, double RssMb, double PeakMb)
{
    public static ProcessStats Read(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        double Kb(string key) => double.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return new ProcessStats(ticks / 100.0, Kb("VmRSS") / 1024, Kb("VmHWM") / 1024);
    }
}
