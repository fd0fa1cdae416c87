using System.Globalization;
using System.Runtime.InteropServices;

namespace Waylay.Linux;

/// <summary>
/// Unmaps the resident pages of the program's own read-only file mappings (code, read-only data, unwind tables), so
/// that only what runs afterwards is mapped again. Why: a NativeAOT binary's start (argument parsing, wiring, type
/// hydration, first use of each subsystem) touches code and data scattered over the whole file, and the kernel maps
/// the pages around each page touched (fault-around, 64 KiB), so an idle sidecar kept ~12 MB of its 17 MB file
/// mapped of which it then uses a small part (docs/designs/proxy.md, "Memory"). <c>madvise(MADV_DONTNEED)</c> on a
/// private file mapping only drops this process's page-table entries: the pages stay in the page cache, shared with
/// every other process mapping the file, and the next touch maps them back (a minor fault, no disk read). Only
/// mappings with no private (copied-on-write) page are released: dropping a relocated page would revert it to the
/// file's bytes, so the relocated read-only data (RELRO) and any page the loader patched are left alone.
/// </summary>
public static partial class ImagePages
{
    /// <summary>MADV_DONTNEED (asm-generic/mman-common.h).</summary>
    public const int DontNeed = 4;

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int MAdvise(nint address, nuint length, int advice);

    /// <summary>Releases the program's read-only, unmodified file mappings; returns the bytes of address range
    /// released (not all of it was resident), 0 when /proc cannot be read.</summary>
    public static long Release()
    {
        long released = 0;
        foreach (var (start, length) in ReleasableRanges())
        {
            if (MAdvise(start, (nuint)length, DontNeed) == 0)
            {
                released += length;
            }
        }

        return released;
    }

    /// <summary>The program's own file mappings that are not writable and hold no private page, from /proc/self/smaps.</summary>
    public static List<(nint Start, long Length)> ReleasableRanges()
    {
        try
        {
            return ReleasableRanges(File.ReadLines("/proc/self/smaps"), Environment.ProcessPath ?? "");
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Of the mappings in <paramref name="smaps"/> (the format of /proc/PID/smaps), those of the file
    /// <paramref name="exe"/> that are private, not writable and have no anonymous (copied-on-write) page.</summary>
    public static List<(nint Start, long Length)> ReleasableRanges(IEnumerable<string> smaps, string exe)
    {
        var ranges = new List<(nint, long)>();
        (nint Start, long Length)? candidate = null;
        foreach (var line in smaps)
        {
            if (ParseHeader(line, exe) is { } header)
            {
                candidate = header.Releasable ? (header.Start, header.Length) : null;
            }
            else if (candidate is { } range && line.StartsWith("Anonymous:", StringComparison.Ordinal))
            {
                // "Anonymous: N kB": pages copied on write (relocations) must keep their private copy.
                if (line.AsSpan("Anonymous:".Length).Trim().SequenceEqual("0 kB"))
                {
                    ranges.Add(range);
                }

                candidate = null;
            }
        }

        return ranges;
    }

    /// <summary>Reads a mapping's header line ("start-end perms offset dev inode path"); null for a field line.</summary>
    private static (nint Start, long Length, bool Releasable)? ParseHeader(string line, string exe)
    {
        var dash = line.IndexOf('-');
        var space = line.IndexOf(' ');
        var colon = line.IndexOf(':');
        if (dash <= 0 || space <= dash || line.Length < space + 5 || (colon >= 0 && colon < space))
        {
            return null;
        }

        if (!long.TryParse(line.AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end))
        {
            return null;
        }

        var perms = line.AsSpan(space + 1, 4);
        var slash = line.IndexOf('/');
        var path = slash < 0 ? "" : line[slash..];
        var releasable = perms[1] == '-' && perms[3] == 'p' && exe.Length > 0 && (path == exe || path == exe + " (deleted)");
        return ((nint)start, end - start, releasable);
    }
}
