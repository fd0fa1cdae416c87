using System.Formats.Tar;

namespace Waylay.Node.Images.Build;

/// <summary>
/// Writes an OCI image layout directory as an OCI archive (a tar of oci-layout, index.json and blobs/) the same way
/// every time: entries in ordinal order, every time the source date, owner root, ustar headers (no atime/ctime, no
/// user names). skopeo's own oci-archive writer stamps the time of the export, which would make two builds of one
/// commit differ by their tar headers alone though their image digest is the same.
/// </summary>
internal static class OciArchive
{
    public static async Task WriteAsync(string layout, string archive, DateTimeOffset sourceDate, CancellationToken cancellationToken)
    {
        var entries = Directory.GetFileSystemEntries(layout, "*", SearchOption.AllDirectories);
        Array.Sort(entries, StringComparer.Ordinal);
        await using var file = File.Create(archive);
        await using var tar = new TarWriter(file, TarEntryFormat.Ustar, leaveOpen: false);
        foreach (var path in entries)
        {
            var name = Path.GetRelativePath(layout, path).Replace('\\', '/');
            var directory = Directory.Exists(path);
            var entry = new UstarTarEntry(directory ? TarEntryType.Directory : TarEntryType.RegularFile, directory ? name + "/" : name)
            {
                ModificationTime = sourceDate,
                Mode = directory ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100,
                Uid = 0,
                Gid = 0,
            };
            if (directory)
            {
                await tar.WriteEntryAsync(entry, cancellationToken);
                continue;
            }

            await using var content = File.OpenRead(path);
            entry.DataStream = content;
            await tar.WriteEntryAsync(entry, cancellationToken);
        }
    }
}
