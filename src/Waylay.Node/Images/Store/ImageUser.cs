using System.Globalization;

namespace Waylay.Node.Images.Store;

/// <summary>
/// An image's <c>User</c> as runc needs it, numbers (image-spec: <c>user</c>, <c>uid</c>, <c>user:group</c>,
/// <c>uid:gid</c>, …): names are looked up in the image's own /etc/passwd and /etc/group, as containerd does; a user
/// given alone takes its passwd entry's group. Used only when the pod's securityContext gives no runAsUser.
/// </summary>
internal static class ImageUser
{
    public static (uint Uid, uint? Gid)? Of(StoredImage image)
    {
        if (image.Config.User is not { } user)
        {
            return null;
        }

        var parts = user.Split(':', 2);
        var passwd = Entries(Path.Combine(image.Rootfs, "etc/passwd"));
        var uid = uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : passwd.TryGetValue(parts[0], out var entry) ? entry.Id
            : throw new ImageStoreException($"image {image.Reference}: its User '{user}' names no user of its /etc/passwd; set securityContext.runAsUser");
        uint? gid = passwd.Values.Where(e => e.Id == uid).Select(e => e.Group).FirstOrDefault();
        if (parts.Length == 2)
        {
            gid = uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var g)
                ? g
                : Entries(Path.Combine(image.Rootfs, "etc/group")).TryGetValue(parts[1], out var group) ? group.Id
                : throw new ImageStoreException($"image {image.Reference}: its User '{user}' names no group of its /etc/group; set securityContext.runAsGroup");
        }

        return (uid, gid);
    }

    /// <summary>name → (id, and for passwd the primary group) from a passwd or group file.</summary>
    private static Dictionary<string, (uint Id, uint? Group)> Entries(string file)
    {
        var entries = new Dictionary<string, (uint, uint?)>(StringComparer.Ordinal);
        foreach (var fields in File.Exists(file) ? File.ReadLines(file).Select(l => l.Split(':')) : [])
        {
            if (fields.Length >= 3 && uint.TryParse(fields[2], CultureInfo.InvariantCulture, out var id))
            {
                entries.TryAdd(fields[0], (id, fields.Length >= 4 && uint.TryParse(fields[3], CultureInfo.InvariantCulture, out var g) ? g : null));
            }
        }

        return entries;
    }
}
