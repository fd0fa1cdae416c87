using System.Globalization;
using Waylay.Linux;
using Waylay.Node.Namespaces;
using Waylay.Node.State;

namespace Waylay.Node.Pods;

/// <summary>
/// Puts the plan's mounts into the pod's mount namespace (through its pause process, nsenter --mount), never into the
/// machine's. A mount point that exists is bind-mounted over. One that does not (Istio's /etc/istio/proxy,
/// /var/run/secrets/tokens) needs a directory the machine does not have, and making it would change the machine's
/// filesystem; so the deepest existing directory above it is covered, in the pod only, by an overlay whose upper layer is
/// a tmpfs of the pod's own: the directory keeps its contents, the new mount points exist only in the pod and vanish
/// with it.
/// <code>
///  :: 1  tmpfs on &lt;pod&gt;/overlays (in the pod)        upper and work layers; not below any lower layer's filesystem
///  :: 2  per covered directory D: overlay(lower=D) on overlays/N/merged
///  :: 3  the mounts that were below D (e.g. /run/netns) rbind-ed into merged, so the pod still sees them
///  :: 4  mount points made in merged, volumes bind-mounted there (read-only ones remounted ro)
///  :: 6  everything else bind-mounted in place
///  :: 5  each merged moved onto its D; the one that covers the state directory last
///  :: 7  the containers' program directories a volume covered, bound back at their own paths
///  :: 8  the directories above a program its unprivileged user may not enter, made enterable (o+x) in the pod only
/// </code>
/// Step 7 exists because a program here lives on the machine (the image table maps images to it), not in an image
/// below the volumes: a checkout under /tmp and Bookinfo's emptyDir on /tmp would otherwise hide the very binary the
/// container runs. Each such directory is bound aside (step 0) before any volume goes in.
/// Step 8 exists for the same reason: a checkout in root's 0700 home holds the programs that the sidecar (uid 1337),
/// the control plane and Bookinfo's apps run as other users. Each directory on the way that others may not enter is
/// covered like a volume's missing mount point (steps 1–5: an overlay whose lower layer is the directory itself), and
/// then given o+x through the overlay: the copy of its mode is the pod's, the machine's directory keeps its own.
/// The root directory itself is never covered: a mount point directly below / that does not exist is refused.
/// </summary>
internal sealed class PodMounter(int pausePid, RunState state, string pod)
{
    /// <param name="programDirectories">The machine's directories of the programs the pod's containers run: they stay
    /// visible in the pod at their own paths, whatever volume is mounted above them.</param>
    /// <param name="unprivilegedProgramDirectories">Those of them whose containers run as a user other than root: each
    /// directory on their way is enterable by that user in the pod (step 8).</param>
    public async Task MountAsync(
        PodMountPlan plan, IReadOnlyDictionary<string, string> sources, IReadOnlyList<string> programDirectories,
        IReadOnlyList<string> unprivilegedProgramDirectories, CancellationToken cancellationToken)
    {
        var etc = state.EtcDirectory(pod);
        var mounts = new List<(string Target, string Source, PodMount Mount)>();
        var covered = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var mount in plan.Mounts)
        {
            var source = mount.Volume is { } volume ? sources[volume] : Path.Combine(etc, Path.GetFileName(mount.Path));
            var (existing, rest) = DeepestExisting(mount.Path);
            var real = await RealPathAsync(existing, cancellationToken);
            var target = rest.Length == 0 ? real : Path.Join(real, rest);
            if (rest.Length > 0)
            {
                if (real == "/")
                {
                    throw new PodSpecException([$"pod {pod}: mountPath {mount.Path} needs a new directory directly below / on this machine, which Waylay does not make; mount it below an existing directory (e.g. /var/lib or /tmp)"]);
                }

                covered.Add(real);
            }

            mounts.Add((target, source, mount));
        }

        var kept = await KeepAsideAsync(programDirectories, mounts, cancellationToken);
        var closed = await ClosedDirectoriesAsync(unprivilegedProgramDirectories, cancellationToken);
        covered.UnionWith(closed);

        // A covered directory below another covered one is already writable through the outer overlay.
        var roots = covered.Where(d => !covered.Any(o => o != d && IsBelow(d, o))).ToList();
        var staging = Path.Combine(state.PodDirectory(pod), "overlays");
        var merged = roots.Count > 0 ? await PrepareCoversAsync(roots, staging, mounts, cancellationToken) : [];

        // :: Step 6 (before any cover is moved into place: the sources are read through the machine's own view)
        foreach (var (target, source, mount) in mounts.Where(m => !roots.Any(r => IsBelow(m.Target, r))))
        {
            await BindAsync(source, target, mount.ReadOnly, cancellationToken);
        }

        // :: Step 5, the cover holding the staging directory (and the state directory) last: once it is in place, the
        // paths below it show the lower layer, not the staging tmpfs or the volumes.
        foreach (var (root, layer) in roots.Zip(merged).OrderBy(p => IsBelow(staging, p.First)))
        {
            await InPodAsync(["mount", "--move", layer, root], cancellationToken);
        }

        // :: Step 7 (the directory is made inside the volume that covers it, the pod's own)
        foreach (var (directory, aside) in kept)
        {
            await InPodAsync(["mkdir", "-p", directory], cancellationToken);
            await InPodAsync(["mount", "--bind", aside, directory], cancellationToken);
        }

        // :: Step 8 (each is at or below a cover now: the new mode is the overlay's copy, in the pod's tmpfs)
        foreach (var directory in closed)
        {
            await InPodAsync(["chmod", "o+x", directory], cancellationToken);
        }
    }

    /// <summary>
    /// The directories on the way to each program directory (itself included) that others may not enter: a user other
    /// than the owner could not reach the program below them (root's home is 0700).
    /// </summary>
    private static async Task<List<string>> ClosedDirectoriesAsync(IReadOnlyList<string> programDirectories, CancellationToken cancellationToken)
    {
        var closed = new List<string>();
        foreach (var program in programDirectories.Where(Directory.Exists).Distinct(StringComparer.Ordinal))
        {
            var directory = await RealPathAsync(program, cancellationToken);
            for (var step = directory; step is not ("/" or ""); step = Path.GetDirectoryName(step) ?? "/")
            {
                if ((File.GetUnixFileMode(step) & UnixFileMode.OtherExecute) == 0 && !closed.Contains(step))
                {
                    closed.Add(step);
                }
            }
        }

        return closed;
    }

    /// <summary>Step 0: binds each program directory that a mount would cover to a place of the pod's own.</summary>
    private async Task<List<(string Directory, string Aside)>> KeepAsideAsync(
        IReadOnlyList<string> programDirectories, List<(string Target, string Source, PodMount Mount)> mounts, CancellationToken cancellationToken)
    {
        var kept = new List<(string, string)>();
        foreach (var program in programDirectories.Where(Directory.Exists).Distinct(StringComparer.Ordinal))
        {
            var directory = await RealPathAsync(program, cancellationToken);
            var cover = mounts.FirstOrDefault(m => !m.Mount.IsFile && IsBelow(directory, m.Target));
            if (cover.Target is null || kept.Any(k => k.Item1 == directory))
            {
                continue;
            }

            if (directory == cover.Target)
            {
                throw new PodSpecException([$"pod {pod}: volume mountPath {cover.Mount.Path} is the directory of a program a container runs ({directory}); run Waylay's programs from another directory or mount the volume elsewhere"]);
            }

            var aside = Path.Combine(state.PodDirectory(pod), "programs", kept.Count.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(aside);
            await InPodAsync(["mount", "--bind", directory, aside], cancellationToken);
            kept.Add((directory, aside));
        }

        return kept;
    }

    /// <summary>Steps 1 to 4: each covered directory's overlay, complete but not yet in place; returns where each is.</summary>
    private async Task<List<string>> PrepareCoversAsync(
        List<string> roots, string staging, List<(string Target, string Source, PodMount Mount)> mounts, CancellationToken cancellationToken)
    {
        // :: Step 1
        var prepared = new List<string>();
        Directory.CreateDirectory(staging);
        await InPodAsync(["mount", "-t", "tmpfs", "-o", "mode=0755", "wl-overlays", staging], cancellationToken);
        for (var i = 0; i < roots.Count; i++)
        {
            var root = roots[i];
            var layers = Path.Combine(staging, i.ToString(CultureInfo.InvariantCulture));
            var merged = Path.Combine(layers, "merged");
            // :: Step 2
            await InPodAsync(["mkdir", "-p", Path.Combine(layers, "upper"), Path.Combine(layers, "work"), merged], cancellationToken);
            await InPodAsync(["mount", "-t", "overlay", "overlay", "-o",
                $"lowerdir={root},upperdir={Path.Combine(layers, "upper")},workdir={Path.Combine(layers, "work")}", merged], cancellationToken);
            // :: Step 3
            foreach (var submount in TopSubmounts(root, staging))
            {
                await InPodAsync(["mount", "--rbind", submount, Path.Join(merged, submount[root.Length..])], cancellationToken);
            }

            // :: Step 4
            foreach (var (target, source, mount) in mounts.Where(m => IsBelow(m.Target, root)))
            {
                var inMerged = Path.Join(merged, target[root.Length..]);
                if (mount.IsFile)
                {
                    await InPodAsync(["mkdir", "-p", Path.GetDirectoryName(inMerged)!], cancellationToken);
                    await InPodAsync(["touch", inMerged], cancellationToken);
                }
                else
                {
                    await InPodAsync(["mkdir", "-p", inMerged], cancellationToken);
                }

                await BindAsync(source, inMerged, mount.ReadOnly, cancellationToken);
            }

            prepared.Add(merged);
        }

        return prepared;
    }

    private async Task BindAsync(string source, string target, bool readOnly, CancellationToken cancellationToken)
    {
        await InPodAsync(["mount", "--bind", source, target], cancellationToken);
        if (readOnly)
        {
            await InPodAsync(["mount", "-o", "remount,bind,ro", target], cancellationToken);
        }
    }

    /// <summary>The mount points strictly below <paramref name="root"/> in the pod's view, outermost only (rbind brings the rest).</summary>
    private List<string> TopSubmounts(string root, string staging)
    {
        var points = File.ReadAllLines($"/proc/{pausePid}/mountinfo")
            .Select(line => Unescape(line.Split(' ')[4]))
            .Where(p => IsBelow(p, root) && p != root && !IsBelow(p, staging))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return [.. points.Where(p => !points.Any(o => o != p && IsBelow(p, o))).Order(StringComparer.Ordinal)];
    }

    private static bool IsBelow(string path, string directory) =>
        path == directory || directory == "/" || path.StartsWith(directory + "/", StringComparison.Ordinal);

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    private static string Unescape(string field) =>
        System.Text.RegularExpressions.Regex.Replace(field, @"\\([0-7]{3})",
            m => ((char)Convert.ToInt32(m.Groups[1].Value, 8)).ToString());

    private static (string Existing, string Remainder) DeepestExisting(string path)
    {
        var existing = path;
        while (!Directory.Exists(existing) && !File.Exists(existing))
        {
            existing = Path.GetDirectoryName(existing) ?? "/";
        }

        return (existing, path[existing.Length..].TrimStart('/'));
    }

    private static async Task<string> RealPathAsync(string path, CancellationToken cancellationToken)
    {
        var result = await Exec.RunAsync("realpath", ["-e", "--", path], null, cancellationToken);
        NetworkNamespaces.Require(result, $"realpath {path}");
        return result.StandardOutput.Trim();
    }

    private async Task InPodAsync(IReadOnlyList<string> command, CancellationToken cancellationToken) =>
        NetworkNamespaces.Require(
            await Exec.RunAsync("nsenter", ["--target", pausePid.ToString(CultureInfo.InvariantCulture), "--mount", "--", .. command], null, cancellationToken),
            $"in the pod {pod}'s mount namespace: {string.Join(' ', command)}");
}
