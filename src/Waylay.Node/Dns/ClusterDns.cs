using System.Net;
using Waylay.Linux;
using Waylay.Mesh;
using Waylay.Node.Namespaces;
using Waylay.Node.Pods;
using Waylay.Node.Services;

namespace Waylay.Node.Dns;

/// <summary>
/// The cluster's DNS server: Debian's dnsmasq run as the one container of a pod <c>kube-dns</c> on node 1 (so its
/// address comes from CNI, its process is recorded and torn down like any container's), behind the
/// <c>kube-system/kube-dns</c> Service at 10.96.0.10:53 (udp and tcp) that the kube-proxy role DNATs to it.
/// <code>
///  ClusterServices change ─► Sync: one hosts file per service in &lt;state&gt;/dns/hosts/ (atomic rename)
///                           ─► dnsmasq --hostsdir sees it by inotify and answers from it, no restart
///  pod: resolv.conf nameserver 10.96.0.10 ─► node netns DNAT ─► dnsmasq ─► &lt;svc&gt;.&lt;ns&gt;.svc.cluster.local
/// </code>
/// It never forwards a query off the machine: no upstream server at all (<c>--no-resolv</c>, no <c>--server</c>),
/// <c>--local=/cluster.local/</c> answers unknown cluster names NXDOMAIN itself, <c>--domain-needed</c> and
/// <c>--bogus-priv</c> keep bare names and private reverse lookups local.
/// It stays a process under <c>--runtime oci</c> too: it plays the cluster's part (CoreDNS reading the API server), as
/// kube-proxy's rules do, not a workload or a part of the mesh, and no cluster runs a dnsmasq image of Waylay's.
/// </summary>
internal sealed class ClusterDns
{
    public const string PodName = "kube-dns";

    public const string Program = "/usr/sbin/dnsmasq";

    private readonly string _hosts;
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    private ClusterDns(string hosts, PodSandbox pod, Service service)
    {
        _hosts = hosts;
        Pod = pod;
        Service = service;
    }

    public PodSandbox Pod { get; }

    /// <summary>The <c>kube-system/kube-dns</c> service: 10.96.0.10, ports 53/udp and 53/tcp.</summary>
    public Service Service { get; }

    public static IReadOnlyList<string> Command(string hostsDirectory, string pidFile) =>
    [
        Program,
        "--keep-in-foreground",
        "--conf-file=/dev/null",      // not the machine's /etc/dnsmasq.conf
        "--no-resolv",                // no upstream from /etc/resolv.conf …
        "--no-hosts",                 // … nor the machine's /etc/hosts
        "--no-poll",
        "--hostsdir=" + hostsDirectory,
        "--domain-needed",
        "--bogus-priv",
        "--local=/" + DnsRecords.ClusterDomain + "/",
        "--user=root",                // it reads the run's state directory (root's alone), in a namespace of its own
        "--pid-file=" + pidFile,
        "--log-facility=-",           // stderr: the container's log
    ];

    /// <summary>Starts dnsmasq in its pod on <paramref name="node"/> and publishes the kube-dns service to it.</summary>
    public static async Task<ClusterDns> StartAsync(NodeRuntime runtime, CancellationToken cancellationToken, int node = 1)
    {
        if (!File.Exists(Program))
        {
            throw new InvalidOperationException($"the cluster DNS needs {Program}: apt-get install -y dnsmasq-base (it starts no service on the machine)");
        }

        var directory = Path.Combine(runtime.State.Directory, "dns");
        var hosts = Path.Combine(directory, "hosts");
        Directory.CreateDirectory(hosts);
        var container = new ContainerSpec("dnsmasq", Command(hosts, Path.Combine(directory, "dnsmasq.pid")), new Dictionary<string, string>(), []);
        var spec = new PodSpec(PodName, [container], [], RestartPolicy.Always, PodDns.ClusterFirst("kube-system"));
        var pod = await runtime.StartPodAsync(spec, node, cancellationToken);
        await WaitListeningAsync(pod, cancellationToken);

        var service = new Service(
            "kube-dns",
            "kube-system",
            [ClusterIpAllocator.KubeDns],
            [new ServicePort("dns", 53, 53, TransportProtocol.Udp), new ServicePort("dns-tcp", 53, 53, TransportProtocol.Tcp)],
            [new Endpoint(pod.Address, new Dictionary<string, ushort>(), new Dictionary<string, string>())]);
        var dns = new ClusterDns(hosts, pod, service);
        runtime.Services.Dns = dns;
        dns.Sync(runtime.Services.Current);
        await runtime.Services.ApplyAsync(service, cancellationToken);
        return dns;
    }

    /// <summary>Writes one hosts file per service and removes those of services that are gone.</summary>
    public void Sync(IReadOnlyList<Service> services)
    {
        lock (_written)
        {
            var current = new HashSet<string>(StringComparer.Ordinal);
            foreach (var service in services)
            {
                // '_' is in no Kubernetes name: "<ns>_<name>" cannot collide. dnsmasq skips files starting with '.'.
                var file = $"{service.Namespace}_{service.Name}";
                current.Add(file);
                var path = Path.Combine(_hosts, file);
                var content = DnsRecords.HostsFile(service);
                if (File.Exists(path) && File.ReadAllText(path) == content)
                {
                    continue;
                }

                var temporary = Path.Combine(_hosts, "." + file + ".tmp");
                File.WriteAllText(temporary, content);
                File.Move(temporary, path, overwrite: true);
            }

            foreach (var gone in _written.Where(f => !current.Contains(f)).ToList())
            {
                File.Delete(Path.Combine(_hosts, gone));
            }

            _written.Clear();
            _written.UnionWith(current);
        }
    }

    private static async Task WaitListeningAsync(PodSandbox pod, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var sockets = await NetworkNamespaces.RunAsync(pod.Namespace, ["ss", "-Hlnu", "sport = :53"], cancellationToken);
            if (sockets.Succeeded && sockets.StandardOutput.Trim().Length > 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"dnsmasq in pod {pod.Name} is not listening on port 53 after 30 s; see its log {pod.Container("dnsmasq").LogFile}");
            }

            await Task.Delay(20, cancellationToken);
        }
    }
}
