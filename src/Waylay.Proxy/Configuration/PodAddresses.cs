using System.Collections.Frozen;
using System.Net;
using System.Net.NetworkInformation;
using Waylay.Proxy.OriginalDestination;

namespace Waylay.Proxy.Configuration;

/// <summary>
/// The pod's own addresses, read from the namespace's interfaces (plus INSTANCE_IP when given): a connection whose
/// original destination is one of them is inbound. That is what lets the seed's single-port layout (everything
/// redirected to 15001) work. Re-read on a timer, because addresses can appear after the proxy starts.
/// </summary>
internal sealed class PodAddresses : IDisposable
{
    private readonly IPAddress? _instanceIp;
    private readonly ITimer _timer;
    private FrozenSet<IPAddress> _addresses = FrozenSet<IPAddress>.Empty;

    public PodAddresses(IPAddress? instanceIp, TimeProvider time, TimeSpan refresh)
    {
        _instanceIp = instanceIp is null ? null : Addresses.Normalize(instanceIp);
        Refresh();
        _timer = time.CreateTimer(static state => ((PodAddresses)state!).Refresh(), this, refresh, refresh);
    }

    public FrozenSet<IPAddress> Current => Volatile.Read(ref _addresses);

    public bool IsOwn(IPAddress address) => Current.Contains(address);

    /// <summary>The first IPv4 pod address (or IPv6 if there is none): the --inbound-to pod-ip target when needed.</summary>
    public IPAddress? Primary(System.Net.Sockets.AddressFamily family)
    {
        foreach (var address in Current)
        {
            if (address.AddressFamily == family)
            {
                return address;
            }
        }

        return null;
    }

    public void Refresh()
    {
        var set = new HashSet<IPAddress>();
        if (_instanceIp is not null)
        {
            set.Add(_instanceIp);
        }

        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
                {
                    continue;
                }

                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    var address = unicast.Address;
                    if (!address.IsIPv6LinkLocal && !IPAddress.IsLoopback(address))
                    {
                        set.Add(Addresses.Normalize(address));
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
            // keep what we had: better a stale set than none
            return;
        }

        Volatile.Write(ref _addresses, set.ToFrozenSet());
    }

    public void Dispose() => _timer.Dispose();
}
