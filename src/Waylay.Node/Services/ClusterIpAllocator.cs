using System.Net;

namespace Waylay.Node.Services;

/// <summary>
/// ClusterIPs from the service CIDR 10.96.0.0/16, as a kubeadm cluster has them: 10.96.0.1 is <c>default/kubernetes</c>,
/// 10.96.0.10 <c>kube-system/kube-dns</c>; others get the lowest free address from 10.96.0.11 up (the API server
/// picks at random; lowest-free keeps a run's addresses the same from one run to the next). A service that sets its
/// own must set a free address inside the CIDR.
/// </summary>
internal sealed class ClusterIpAllocator
{
    public static readonly IPAddress Kubernetes = IPAddress.Parse("10.96.0.1");

    public static readonly IPAddress KubeDns = IPAddress.Parse("10.96.0.10");

    private readonly Dictionary<IPAddress, string> _used = [];

    /// <summary>The service's address: <paramref name="requested"/> if free, else its reserved or the lowest free one.</summary>
    public IPAddress Allocate(string key, IPAddress? requested)
    {
        var current = _used.FirstOrDefault(u => u.Value == key).Key;
        if (requested is null && current is not null)
        {
            return current;
        }

        requested ??= key switch
        {
            "default/kubernetes" => Kubernetes,
            "kube-system/kube-dns" => KubeDns,
            _ => null,
        };
        if (requested is not null)
        {
            if (!KubeProxy.ServiceCidr.Contains(requested))
            {
                throw new ArgumentException($"service {key}: clusterIP {requested} is outside the service CIDR {KubeProxy.ServiceCidr}; pick an address in it or leave clusterIP unset");
            }

            if (_used.TryGetValue(requested, out var owner) && owner != key)
            {
                throw new ArgumentException($"service {key}: clusterIP {requested} is already service {owner}'s; pick another or leave clusterIP unset");
            }

            Release(key);
            _used[requested] = key;
            return requested;
        }

        for (var host = 11; host < 65535; host++)
        {
            var candidate = new IPAddress([10, 96, (byte)(host >> 8), (byte)(host & 0xff)]);
            if (!_used.ContainsKey(candidate) && !candidate.Equals(Kubernetes) && !candidate.Equals(KubeDns))
            {
                _used[candidate] = key;
                return candidate;
            }
        }

        throw new InvalidOperationException($"service {key}: the service CIDR {KubeProxy.ServiceCidr} is full; remove services you no longer need");
    }

    public void Release(string key)
    {
        foreach (var address in _used.Where(u => u.Value == key).Select(u => u.Key).ToList())
        {
            _used.Remove(address);
        }
    }
}
