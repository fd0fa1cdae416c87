using System.Runtime.InteropServices;
using Waylay.Linux;

namespace Waylay.Node.Processes.Oci;

/// <summary>
/// A container's runtime bundle, under its pod's state directory (<c>pods/&lt;pod&gt;/oci/&lt;container&gt;/</c>):
/// <code>
///  config.json       the runtime spec (OciSpec.cs)
///  rootfs/           overlay: lower = the image's unpacked tree in the store (shared, never written),
///                    upper/work = layer/ here; mounted in this machine's mount namespace, where runc reads it
///  layer/upper,work  the container's writable layer: new for every run, as a restarted container's is
///  hostname          bind-mounted on /etc/hostname, as the kubelet does
/// </code>
/// <see cref="Remove"/> unmounts and deletes it; teardown does the same from the directory alone.
/// </summary>
internal sealed class OciBundle(string directory)
{
    public string Directory { get; } = directory;

    public string Rootfs => Path.Combine(Directory, "rootfs");

    public string Config => Path.Combine(Directory, "config.json");

    public string Hostname => Path.Combine(Directory, "hostname");

    private string Layer => Path.Combine(Directory, "layer");

    /// <summary>A fresh writable layer over <paramref name="imageRootfs"/>, mounted at <see cref="Rootfs"/>.</summary>
    public void Prepare(string imageRootfs, string hostname)
    {
        if (!System.IO.Directory.Exists(imageRootfs))
        {
            throw new InvalidOperationException($"the image's unpacked tree {imageRootfs} is gone from the store; load the image again (waylay image load)");
        }

        Unmount();
        if (System.IO.Directory.Exists(Layer))
        {
            System.IO.Directory.Delete(Layer, recursive: true);
        }

        var upper = System.IO.Directory.CreateDirectory(Path.Combine(Layer, "upper")).FullName;
        var work = System.IO.Directory.CreateDirectory(Path.Combine(Layer, "work")).FullName;
        System.IO.Directory.CreateDirectory(Rootfs);
        File.WriteAllText(Hostname, hostname + "\n");
        if (Mount.Attach("overlay", Rootfs, "overlay", 0, $"lowerdir={imageRootfs},upperdir={upper},workdir={work}") != 0)
        {
            throw new InvalidOperationException($"mount overlay on {Rootfs} (lower {imageRootfs}): {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    /// <summary>Unmounts the root filesystem and deletes the bundle; repeatable.</summary>
    public void Remove()
    {
        Unmount();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private void Unmount()
    {
        // Detached: a container's last process may still hold it a moment after runc returned; never delete through it.
        while (IsMounted(Rootfs))
        {
            if (Mount.Detach(Rootfs, Mount.MntDetach) != 0)
            {
                throw new InvalidOperationException($"umount {Rootfs}: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
    }

    private static bool IsMounted(string path) =>
        File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == path);
}
