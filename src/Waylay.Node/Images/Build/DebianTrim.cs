using System.Collections.Concurrent;

namespace Waylay.Node.Images.Build;

/// <summary>
/// What the image's programs need not carry of what apt installs with iptables, nftables, iproute2 and the CA bundle
/// (the image's size aim is 30 MB compressed, issue 19), and the check that nothing kept lost a library:
/// <code>
/// :: Step 1  iproute2's programs other than <c>ip</c> (capture runs <c>ip</c> only): <c>ss</c> alone links SELinux,
///            PCRE2, Sun RPC and Kerberos; <c>arpd</c> Berkeley DB; <c>tc</c> the BPF loader's data
/// :: Step 2  the packages only those programs, or maintainer scripts that never run here, need: each one's files
///            (from its .deb's list) removed and its stanza left out of /var/lib/dpkg/status, so the status scanners
///            read still lists exactly what the image holds
/// :: Step 3  every ELF file kept resolves all its libraries inside the image (the image's own loader, in a chroot,
///            as <c>ldd</c> does); a missing one fails the build, naming the program and the library
/// </code>
/// Libraries loaded at run time rather than linked stay whole: libssl3 (the sidecar's and control plane's TLS) and
/// iptables' extensions (xtables/*.so, the matches and targets of any rule).
/// </summary>
internal static class DebianTrim
{
    /// <summary>Step 1: files of kept packages that nothing in the image runs.</summary>
    public static readonly IReadOnlyList<string> Files =
    [
        "bin/ss", "sbin/bridge", "sbin/dcb", "sbin/devlink", "sbin/rtacct", "sbin/rtmon", "sbin/tc", "sbin/tipc", "sbin/vdpa",
        "usr/bin/lnstat", "usr/bin/nstat", "usr/bin/rdma", "usr/bin/routel", "usr/bin/ctstat", "usr/bin/rtstat",
        "usr/sbin/arpd", "usr/sbin/genl", "usr/lib/x86_64-linux-gnu/tc",
        // libc6's vector maths (libmvec): only code built with -fopenmp-simd/-ffast-math links it, and nothing here is.
        "lib/x86_64-linux-gnu/libmvec.so.1",
    ];

    /// <summary>Step 2: packages apt installs as dependencies that nothing kept needs (Step 3 checks the linked ones).</summary>
    public static readonly IReadOnlySet<string> Packages = new HashSet<string>(StringComparer.Ordinal)
    {
        // the openssl command line (libssl3, the library, stays) and its config, whose [openssl_init] Debian leaves empty
        "openssl",
        // maintainer-script helpers: the extract variant runs no maintainer script
        "debconf", "libcap2-bin",
        // ss's and arpd's libraries
        "libselinux1", "libpcre2-8-0", "libtirpc3", "libtirpc-common", "libgssapi-krb5-2", "libkrb5-3", "libk5crypto3",
        "libkrb5support0", "libkeyutils1", "libcom-err2", "libdb5.3",
    };

    /// <summary>Removes Step 1's files and the files of Step 2's packages present in <paramref name="debs"/>; returns the packages removed.</summary>
    public static async Task<IReadOnlySet<string>> RemoveAsync(string rootfs, IReadOnlyDictionary<string, string> debs, CancellationToken cancellationToken)
    {
        foreach (var file in Files)
        {
            Delete(Path.Combine(rootfs, file));
        }

        var removed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (package, deb) in debs)
        {
            if (!Packages.Contains(package))
            {
                continue;
            }

            // dpkg-deb --contents: "mode owner/group size date time ./path[ -> target]"; directories are left (shared).
            var listing = await ImageTools.RunAsync("dpkg-deb", ["--contents", deb], cancellationToken);
            foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line[0] == 'd')
                {
                    continue;
                }

                var start = line.IndexOf(" ./", StringComparison.Ordinal);
                var arrow = line.IndexOf(" -> ", StringComparison.Ordinal);
                var path = arrow > start ? line[(start + 3)..arrow] : line[(start + 3)..];
                Delete(Path.Combine(rootfs, path));
            }

            removed.Add(package);
        }

        return removed;
    }

    /// <summary>Step 3: one loader run per ELF file (about 170), a few at a time.</summary>
    public static async Task VerifyLibrariesAsync(string rootfs, CancellationToken cancellationToken)
    {
        var elves = Directory.GetFiles(rootfs, "*", SearchOption.AllDirectories)
            .Where(file => new FileInfo(file).LinkTarget is null && IsElf(file) && !Path.GetFileName(file).StartsWith("ld-linux", StringComparison.Ordinal))
            .Select(file => "/" + Path.GetRelativePath(rootfs, file))
            .ToList();
        var missing = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(elves, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (path, token) =>
        {
            // The loader lists what a file links and stops at the first library it cannot find (exit 127): "…: error
            // while loading shared libraries: libbpf.so.1: cannot open shared object file".
            var result = await Waylay.Linux.Exec.RunAsync("chroot", [rootfs, "/lib64/ld-linux-x86-64.so.2", "--list", path], null, token);
            if (!result.Succeeded)
            {
                missing.Add(result.StandardError.Trim() is { Length: > 0 } error ? error : $"{path}: {result.Diagnostic}");
            }
        });

        if (!missing.IsEmpty)
        {
            throw new ImageBuildException($"image build: the trimmed image lacks libraries its programs link (src/Waylay.Node/Images/Build/DebianTrim.cs removed too much; keep the package that ships it):\n  {string.Join("\n  ", missing.Order(StringComparer.Ordinal))}");
        }
    }

    private static bool IsElf(string file)
    {
        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(file);
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic is [0x7f, (byte)'E', (byte)'L', (byte)'F'];
    }

    private static void Delete(string path)
    {
        if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null)
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
        }
    }
}
