using System.Globalization;

namespace Waylay.LoadGen.Http;

/// <summary>What one load run saw: completed requests, failures, wall time and every latency (ns, sorted).</summary>
internal sealed record HttpLoadResult(double TargetRate, long Requests, long Errors, long Unsent, double Seconds, long[] SortedLatenciesNs)
{
    public double AchievedRate => Requests / Seconds;

    /// <summary>Nearest-rank percentile in milliseconds.</summary>
    public double PercentileMs(double p)
    {
        if (SortedLatenciesNs.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * SortedLatenciesNs.Length) - 1;
        return SortedLatenciesNs[Math.Clamp(rank, 0, SortedLatenciesNs.Length - 1)] / 1e6;
    }

    /// <summary>One line of key=value pairs, latencies in ms, for the benchmark script to pick apart.</summary>
    public string Format()
    {
        var inv = CultureInfo.InvariantCulture;
        return string.Create(inv, $"target={TargetRate:F0} requests={Requests} errors={Errors} unsent={Unsent} seconds={Seconds:F2} rate={AchievedRate:F1} " +
            $"p50={PercentileMs(50):F3} p90={PercentileMs(90):F3} p99={PercentileMs(99):F3} p999={PercentileMs(99.9):F3} max={PercentileMs(100):F3}");
    }
}
