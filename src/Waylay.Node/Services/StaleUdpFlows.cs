using System.Globalization;
using System.Net.Sockets;
using Waylay.Mesh;

namespace Waylay.Node.Services;

/// <summary>
/// UDP flows conntrack would keep sending to the wrong place after a sync, and the <c>conntrack -D</c> that ends
/// them (kube-proxy's <c>pkg/proxy/conntrack</c> cleanup): a UDP "connection" lasts as long as packets keep coming,
/// so without this a DNS client that keeps its socket would keep talking to an endpoint that went away, and one that
/// was refused while the port had no endpoint would keep being refused.
/// <code>
///  endpoint gone:          conntrack -D -p udp --orig-dst &lt;clusterIP&gt; --orig-port-dst &lt;port&gt; --dst-nat &lt;endpoint&gt;
///  port got its first one: conntrack -D -p udp --orig-dst &lt;clusterIP&gt; --orig-port-dst &lt;port&gt;
/// </code>
/// </summary>
internal sealed record StaleUdpFlows(IReadOnlySet<string> Targets, IReadOnlySet<string> Unserved)
{
    public static readonly StaleUdpFlows None = new(new HashSet<string>(), new HashSet<string>());

    /// <summary>The UDP service ports of <paramref name="services"/>: served ("ip port endpoint") and unserved ("ip port").</summary>
    public static StaleUdpFlows Of(IEnumerable<Service> services)
    {
        var targets = new HashSet<string>(StringComparer.Ordinal);
        var unserved = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in services)
        {
            var clusterIp = service.Addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
            if (clusterIp is null)
            {
                continue;
            }

            var ready = service.Endpoints.Where(e => e.Health == EndpointHealth.Healthy).ToList();
            foreach (var port in service.Ports.Where(p => p.Protocol == TransportProtocol.Udp))
            {
                var key = $"{clusterIp} {port.Port.ToString(CultureInfo.InvariantCulture)}";
                if (ready.Count == 0)
                {
                    unserved.Add(key);
                }

                targets.UnionWith(ready.Select(e => $"{key} {e.Address}"));
            }
        }

        return new StaleUdpFlows(targets, unserved);
    }

    /// <summary>The conntrack deletions that going from <paramref name="before"/> to this need.</summary>
    public IReadOnlyList<IReadOnlyList<string>> DeletionsSince(StaleUdpFlows before)
    {
        var deletions = new List<IReadOnlyList<string>>();
        foreach (var gone in before.Targets.Where(t => !Targets.Contains(t)).Order(StringComparer.Ordinal))
        {
            var parts = gone.Split(' ');
            deletions.Add(["conntrack", "-D", "-p", "udp", "--orig-dst", parts[0], "--orig-port-dst", parts[1], "--dst-nat", parts[2]]);
        }

        var served = Targets.Select(t => t[..t.LastIndexOf(' ')]).ToHashSet(StringComparer.Ordinal);
        foreach (var now in before.Unserved.Where(served.Contains).Order(StringComparer.Ordinal))
        {
            var parts = now.Split(' ');
            deletions.Add(["conntrack", "-D", "-p", "udp", "--orig-dst", parts[0], "--orig-port-dst", parts[1]]);
        }

        return deletions;
    }
}
