using Xunit;

namespace Waylay.Linux.Tests;

/// <summary><see cref="ImagePages"/>: which of the program's mappings may be unmapped, and that unmapping them drops their resident pages.</summary>
public sealed class ImagePagesTests
{
    private const string Exe = "/usr/local/bin/waylay-proxy";

    /// <summary>The mappings of a NativeAOT sidecar as its /proc/PID/smaps shows them (fields not read left out).</summary>
    private static readonly string[] Smaps =
    [
        "55ba3c08a000-55ba3c0a5000 r--p 00000000 fe:00 5515036                    /usr/local/bin/waylay-proxy",
        "Rss:                 108 kB",
        "Anonymous:             0 kB",
        "55ba3c0a5000-55ba3c951000 r-xp 0001b000 fe:00 5515036                    /usr/local/bin/waylay-proxy",
        "Rss:                6556 kB",
        "Anonymous:             0 kB",
        "VmFlags: rd ex mr mw me",
        "55ba3cd2f000-55ba3cd30000 r--p 00ca5000 fe:00 5515036                    /usr/local/bin/waylay-proxy",
        "Rss:                   4 kB",
        "Anonymous:             4 kB",
        "55ba3d075000-55ba3d077000 r--p 00feb000 fe:00 5515036                    /usr/local/bin/waylay-proxy",
        "Anonymous:             8 kB",
        "55ba3d077000-55ba3d0ac000 rw-p 00fed000 fe:00 5515036                    /usr/local/bin/waylay-proxy",
        "Anonymous:            84 kB",
        "55ba3d0ac000-55ba3d48e000 rw-p 00000000 00:00 0",
        "Anonymous:          3856 kB",
        "7f7798110000-7f7798266000 r-xp 00026000 fe:00 332096                     /usr/lib/x86_64-linux-gnu/libc.so.6",
        "Anonymous:             0 kB",
        "7f77983c2000-7f77983e8000 r--s 00001000 fe:00 331651                     /usr/local/bin/waylay-proxy",
        "Anonymous:             0 kB",
    ];

    [Fact]
    public void ReleasableRanges_AreTheProgramsReadOnlyPrivateMappingsWithNoCopiedPage()
    {
        var ranges = ImagePages.ReleasableRanges(Smaps, Exe).Select(r => ((long)r.Start, r.Length));

        // Not the relocated pages (Anonymous > 0: dropping them would revert them to the file's bytes), not the
        // writable data, not anonymous memory, not another file, not a shared mapping.
        Assert.Equal(
            [(0x55ba3c08a000L, 0x1b000L), (0x55ba3c0a5000L, 0x8ac000L)],
            ranges);
    }

    [Fact]
    public void ReleasableRanges_OfAProgramReplacedOnDisk_StillItsOwn()
    {
        string[] smaps =
        [
            "55ba3c0a5000-55ba3c951000 r-xp 0001b000 fe:00 5515036                    /usr/local/bin/waylay-proxy (deleted)",
            "Anonymous:             0 kB",
            "55ba3c951000-55ba3c952000 r-xp 0001b000 fe:00 5515036                    /usr/local/bin/waylay-proxy-old",
            "Anonymous:             0 kB",
        ];

        Assert.Equal([(0x55ba3c0a5000L, 0x8ac000L)], ImagePages.ReleasableRanges(smaps, Exe).Select(r => ((long)r.Start, r.Length)));
    }

    [Fact]
    public void Release_OnThisProcess_UnmapsItsProgramsResidentPages_AndTheProcessRunsOn()
    {
        var ranges = ImagePages.ReleasableRanges();
        Assert.NotEmpty(ranges); // the test host's own executable: its code and read-only data
        var before = ResidentKb(ranges);
        Assert.True(before > 0, "the test host's program has no resident page to release");

        var released = ImagePages.Release();

        Assert.Equal(ranges.Sum(r => r.Length), released);
        // What stays or comes back is only what ran since (the host's code is not running: the tests are).
        Assert.True(ResidentKb(ranges) < before, $"{before} kB resident before the release, as many after");
    }

    private static long ResidentKb(List<(nint Start, long Length)> ranges)
    {
        long kb = 0;
        var counting = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            var dash = line.IndexOf('-');
            if (dash > 0 && long.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var start))
            {
                counting = ranges.Exists(r => r.Start == (nint)start);
            }
            else if (counting && line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                kb += long.Parse(line.AsSpan(4).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return kb;
    }
}
