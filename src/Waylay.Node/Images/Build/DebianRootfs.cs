using System.Text;

namespace Waylay.Node.Images.Build;

/// <summary>
/// The image's root filesystem from Debian's packages, with no package manager in it:
/// <code>
/// :: Step 1  mmdebstrap --variant=extract: the packages and their dependencies unpacked, no maintainer script run
///            (so no shell is needed and nothing differs between two runs); apt's cache of .debs kept for step 2
/// :: Step 2  /var/lib/dpkg/status written from the .debs' control fields, so scanners (trivy, syft) see the packages
/// :: Step 3  what the maintainer scripts would have done and the image needs: iptables' alternatives (nft, Debian's
///            default), the CA bundle, passwd/group naming uid 1337
/// :: Step 4  pruned: docs (copyright kept), man pages, locales, apt's lists and caches, /dev (the runtime mounts it)
/// :: Step 5  trimmed to what the image's programs run (DebianTrim.cs): iproute2's tools but `ip`, and the packages
///            only those need, left out of the status too; then every ELF file kept is checked for its libraries
/// </code>
/// </summary>
internal static class DebianRootfs
{
    private const string Archives = "var/cache/apt/archives";

    /// <summary>Builds the tree under <paramref name="rootfs"/> (which must not exist) and returns how many packages it holds.</summary>
    public static async Task<int> CreateAsync(ImageBuildOptions options, string rootfs, CancellationToken cancellationToken)
    {
        // :: Step 1 — the host's apt sources (its local mirror), the same ones `apt-get install` uses here.
        var sources = new[] { "/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list" }.FirstOrDefault(File.Exists)
            ?? throw new ImageBuildException("image build: no apt sources on this host (/etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list); mmdebstrap takes its mirror from there");
        await ImageTools.RunAsync("mmdebstrap",
        [
            "--variant=extract", "--mode=root", "--quiet", "--skip=cleanup/apt/cache",
            "--include=" + string.Join(',', options.Packages),
            options.Suite, rootfs, sources,
        ], cancellationToken);

        // :: Step 2 (and Step 5's removal, which needs the .debs' file lists before Step 4 drops apt's cache)
        var debs = Directory.GetFiles(Path.Combine(rootfs, Archives), "*.deb");
        Array.Sort(debs, StringComparer.Ordinal);
        var stanzas = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var deb in debs)
        {
            var control = await ImageTools.RunAsync("dpkg-deb", ["--field", deb], cancellationToken);
            var package = control.Split('\n')[0].Replace("Package: ", "", StringComparison.Ordinal).Trim();
            stanzas[package] = StatusStanza(control);
            files[package] = deb;
        }

        foreach (var removed in await DebianTrim.RemoveAsync(rootfs, files, cancellationToken))
        {
            stanzas.Remove(removed);
        }

        var dpkg = Path.Combine(rootfs, "var/lib/dpkg");
        Directory.CreateDirectory(dpkg);
        await File.WriteAllTextAsync(Path.Combine(dpkg, "status"), string.Join("\n", stanzas.Values), cancellationToken);

        // :: Step 3
        LinkAlternatives(rootfs);
        await WriteCaBundleAsync(rootfs, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(rootfs, "etc/passwd"), "root:x:0:0:root:/root:/usr/sbin/nologin\nwaylay-proxy:x:1337:1337:waylay-proxy:/nonexistent:/usr/sbin/nologin\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(rootfs, "etc/group"), "root:x:0:\nwaylay-proxy:x:1337:\n", cancellationToken);

        // :: Step 4
        Prune(rootfs);

        // :: Step 5 — the check, once the tree is final
        await DebianTrim.VerifyLibrariesAsync(rootfs, cancellationToken);
        return stanzas.Count;
    }

    /// <summary>A control file as dpkg's status has it: the package's own fields, with Status after Package.</summary>
    private static string StatusStanza(string control)
    {
        var text = new StringBuilder();
        foreach (var line in control.TrimEnd('\n').Split('\n'))
        {
            text.Append(line).Append('\n');
            if (line.StartsWith("Package: ", StringComparison.Ordinal))
            {
                text.Append("Status: install ok installed\n");
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// iptables' postinst points <c>iptables</c>, <c>-save</c> and <c>-restore</c> (and ip6tables') at the nft flavour
    /// through update-alternatives; capture runs them by those names (src/Waylay.Capture/Apply/IptablesFlavour.cs reads
    /// the link to tell the flavour), so the image links them directly.
    /// </summary>
    private static void LinkAlternatives(string rootfs)
    {
        foreach (var family in new[] { "iptables", "ip6tables" })
        {
            foreach (var suffix in new[] { "", "-save", "-restore" })
            {
                var link = Path.Combine(rootfs, "usr/sbin", family + suffix);
                if (!File.Exists(link))
                {
                    File.CreateSymbolicLink(link, "xtables-nft-multi");
                }
            }
        }
    }

    /// <summary>
    /// update-ca-certificates (ca-certificates' postinst) concatenates the certificates /etc/ca-certificates.conf
    /// enables, which by default is every one Debian ships: the same bundle, in the same (sorted) order.
    /// </summary>
    private static async Task WriteCaBundleAsync(string rootfs, CancellationToken cancellationToken)
    {
        var certificates = Directory.GetFiles(Path.Combine(rootfs, "usr/share/ca-certificates"), "*.crt", SearchOption.AllDirectories);
        Array.Sort(certificates, StringComparer.Ordinal);
        var bundle = new StringBuilder();
        foreach (var certificate in certificates)
        {
            bundle.Append(await File.ReadAllTextAsync(certificate, cancellationToken));
        }

        var certs = Path.Combine(rootfs, "etc/ssl/certs");
        Directory.CreateDirectory(certs);
        await File.WriteAllTextAsync(Path.Combine(certs, "ca-certificates.crt"), bundle.ToString(), cancellationToken);
    }

    private static void Prune(string rootfs)
    {
        foreach (var directory in new[] { "usr/share/man", "usr/share/info", "usr/share/locale", "usr/share/lintian", "usr/share/bash-completion",
                     "usr/share/bug", "usr/share/pixmaps", "usr/include",
                     // iconv's character sets: nothing in the image converts encodings (the sidecar is UTF-8 throughout).
                     "usr/lib/x86_64-linux-gnu/gconv", Archives, "var/cache/apt", "var/lib/apt", "var/log", "etc/apt" })
        {
            var path = Path.Combine(rootfs, directory);
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }

        // Keep each package's copyright (its licence travels with the binaries); drop changelogs and READMEs.
        var docs = Path.Combine(rootfs, "usr/share/doc");
        foreach (var entry in Directory.Exists(docs) ? Directory.GetFileSystemEntries(docs, "*", SearchOption.AllDirectories) : [])
        {
            if (File.Exists(entry) && Path.GetFileName(entry) != "copyright")
            {
                File.Delete(entry);
            }
        }

        // The runtime mounts its own /dev; mmdebstrap's device nodes would only make the layer host-specific.
        foreach (var entry in Directory.GetFileSystemEntries(Path.Combine(rootfs, "dev")))
        {
            if (Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
    }
}
