using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Waylay.Linux;
using Waylay.TestKit;

namespace Waylay.Capture.Tests.Kernel;

/// <summary>
/// A pod and a peer, each a namespace of the test's own, joined by a veth pair:
/// <code>
///   pod  eth0 10.244.1.2/24 fd00:244:1::2/64 ──veth── peer eth0 10.244.1.1/24 fd00:244:1::1/64
///        listeners: :15001, :15006 (transparent), app ports         + "services" 10.96.0.20, 10.96.0.10, fd00:96::20
///                                                                     listeners: app ports
/// </code>
/// Every listener reports each connection it accepts, keyed by the client's address, so a test can dial and learn
/// exactly where the kernel delivered it and what SO_ORIGINAL_DST said there.
/// </summary>
internal sealed class CaptureLab : IAsyncDisposable
{
    public static readonly IPAddress PodIp = IPAddress.Parse("10.244.1.2");
    public static readonly IPAddress PeerIp = IPAddress.Parse("10.244.1.1");
    public static readonly IPAddress ServiceIp = IPAddress.Parse("10.96.0.20");
    public static readonly IPAddress OtherServiceIp = IPAddress.Parse("10.96.0.10");
    public static readonly IPAddress PodIp6 = IPAddress.Parse("fd00:244:1::2");
    public static readonly IPAddress PeerIp6 = IPAddress.Parse("fd00:244:1::1");
    public static readonly IPAddress ServiceIp6 = IPAddress.Parse("fd00:96::20");

    public static readonly ushort[] AppPorts = [9080, 8080, 3306, 25, 22, 15090, 15021];
    public const ushort OutboundPort = 15001;
    public const ushort InboundPort = 15006;

    private readonly ConcurrentDictionary<string, TaskCompletionSource<Landing>> _landings = new();
    private readonly List<Socket> _listeners = [];
    private readonly ConcurrentQueue<string> _acceptFaults = new();
    private readonly CancellationTokenSource _stop = new();

    private CaptureLab(TestNamespace pod, TestNamespace peer)
    {
        Pod = pod;
        Peer = peer;
    }

    public TestNamespace Pod { get; }
    public TestNamespace Peer { get; }

    /// <summary>A KubeVirt-style VM behind the pod (joined on the pod's vnet0), when created with one.</summary>
    public TestNamespace? Vm { get; private set; }

    /// <summary>Adds a VM namespace whose traffic arrives in the pod on vnet0 (10.244.2.0/24), as a KubeVirt VM's does.</summary>
    public async Task AddVmAsync()
    {
        Vm = await TestNamespace.CreateAsync();
        await TestLink.ConnectAsync(Pod, "vnet0", ["10.244.2.1/24"], Vm, "eth0", ["10.244.2.2/24"]);
        await Vm.IpAsync("route", "add", "default", "via", "10.244.2.1");
    }

    /// <summary>Dials from the VM; its packets enter the pod on vnet0.</summary>
    public Task<Landing> ConnectFromVmAsync(IPEndPoint destination) =>
        ConnectAsync(Vm ?? throw new InvalidOperationException("call AddVmAsync first"), destination, 0, 0, null);

    public static async Task<CaptureLab> CreateAsync()
    {
        var pod = await TestNamespace.CreateAsync();
        TestNamespace? peer = null;
        try
        {
            peer = await TestNamespace.CreateAsync();
            var lab = new CaptureLab(pod, peer);
            await TestLink.ConnectAsync(pod, "eth0", ["10.244.1.2/24", "fd00:244:1::2/64"], peer, "eth0", ["10.244.1.1/24", "fd00:244:1::1/64"]);
            await pod.IpAsync("route", "add", "default", "via", "10.244.1.1");
            await pod.IpAsync("-6", "route", "add", "default", "via", "fd00:244:1::1");
            foreach (var service in new[] { "10.96.0.20/32", "10.96.0.10/32", "fd00:96::20/128" })
            {
                await peer.AddAddressAsync("eth0", service);
            }

            lab.Listen(pod, OutboundPort, transparent: false);
            lab.Listen(pod, InboundPort, transparent: true);
            foreach (var port in AppPorts)
            {
                lab.Listen(pod, port, transparent: false);
                lab.Listen(peer, port, transparent: false);
            }

            return lab;
        }
        catch
        {
            if (peer is not null)
            {
                await peer.DisposeAsync();
            }

            await pod.DisposeAsync();
            throw;
        }
    }

    /// <summary>Dials from inside the pod as uid/gid (optionally from a bound source address); returns where it landed.</summary>
    public Task<Landing> ConnectOutAsync(IPEndPoint destination, uint uid = 0, uint gid = 0, IPAddress? source = null) =>
        ConnectAsync(Pod, destination, uid, gid, source);

    /// <summary>Dials the pod from the peer, as a client elsewhere in the cluster would.</summary>
    public Task<Landing> ConnectInAsync(IPEndPoint destination) => ConnectAsync(Peer, destination, 0, 0, null);

    private async Task<Landing> ConnectAsync(TestNamespace ns, IPEndPoint destination, uint uid, uint gid, IPAddress? source)
    {
        using var client = ns.Socket(destination.AddressFamily, uid, gid);
        if (source is not null)
        {
            client.Bind(new IPEndPoint(source, 0));
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await client.ConnectAsync(destination, timeout.Token);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return new Landing("refused");
        }
        catch (OperationCanceledException)
        {
            return new Landing("timeout");
        }

        var key = Key((IPEndPoint)client.LocalEndPoint!);
        var landing = _landings.GetOrAdd(key, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            // The kernel has completed the handshake, so a listener holds it: the bound is only for a machine so busy
            // that the accept loop has not run yet (CI runs every test assembly at once), never a measure of speed.
            return await landing.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            var faults = _acceptFaults.IsEmpty ? "" : "; the accept loops failed with: " + string.Join("; ", _acceptFaults);
            return new Landing($"connected as {key}, but no listener of the lab accepted it within 30 s{faults}");
        }
        finally
        {
            _landings.TryRemove(key, out _);
        }
    }

    private void Listen(TestNamespace ns, ushort port, bool transparent)
    {
        var listener = ns.Listen(new IPEndPoint(IPAddress.IPv6Any, port), transparent);
        _listeners.Add(listener);
        var name = $"{(ns == Pod ? "pod" : "peer")}:{port}";
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket accepted;
                try
                {
                    accepted = await listener.AcceptAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    return;
                }

                using (accepted)
                {
                    try
                    {
                        LinuxSocket.TryGetOriginalDestination(accepted, out var original);
                        var local = Normalize((IPEndPoint)accepted.LocalEndPoint!);
                        var landing = new Landing(name, original is null ? null : Normalize(original), local);
                        _landings.GetOrAdd(Key((IPEndPoint)accepted.RemoteEndPoint!), _ => new(TaskCreationOptions.RunContinuationsAsynchronously))
                            .TrySetResult(landing);
                    }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException)
                    {
                        // One connection the client already reset must not end the loop for every later one.
                        _acceptFaults.Enqueue($"{name}: {e.Message}");
                    }
                }
            }
        });
    }

    private static IPEndPoint Normalize(IPEndPoint endpoint) =>
        endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port) : endpoint;

    private static string Key(IPEndPoint endpoint) => Normalize(endpoint).ToString();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var listener in _listeners)
        {
            listener.StopListening();
        }

        await Pod.DisposeAsync();
        await Peer.DisposeAsync();
        if (Vm is not null)
        {
            await Vm.DisposeAsync();
        }

        _stop.Dispose();
    }
}
