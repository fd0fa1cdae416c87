using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Waylay.Discovery.V1;
using Waylay.Node.Kubelet;

namespace Waylay.Node.Up;

/// <summary>
/// The kubelet side of the control plane's registration API: each pod's started, ready, not-ready and stopped, with
/// its IP, labels, namespace and service account, sent to <c>waylay-control</c>'s Service as a node agent would. The
/// supervisor runs in the machine's namespace, so each connection is made from node1's namespace (as the forwarder's)
/// to the Service's ClusterIP. The latest event per pod waits until it is delivered: a control plane that is still
/// starting, or restarted and lost its registrations, catches up on the next flush: after a failed call, or when its
/// pod becomes ready again, every pod is sent again (<see cref="ResendAll"/>), as kubelets re-sync.
/// </summary>
internal sealed class ControlRegistrations : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly Registration.RegistrationClient _client;
    private readonly Dictionary<string, PodEvent> _latest = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);

    public ControlRegistrations(string nodeNamespacePath, IPEndPoint control)
    {
        _channel = GrpcChannel.ForAddress($"http://{ControlPlane.Name}.{ControlPlane.Namespace}:{ControlPlane.Port}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, cancellationToken) =>
                {
                    var socket = NodeSocket.Create(nodeNamespacePath, AddressFamily.InterNetwork);
                    try
                    {
                        await socket.ConnectAsync(control, cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            },
        });
        _client = new Registration.RegistrationClient(_channel);
    }

    public void Report(PodEvent.Types.Phase phase, PlannedPod planned, IPAddress address)
    {
        var report = new PodEvent
        {
            Phase = phase,
            Name = planned.Pod.Name,
            Namespace = planned.Namespace,
            ServiceAccount = planned.Pod.Pod.Spec.ServiceAccountName ?? "default",
            Node = $"node{planned.Node}",
        };
        report.Ips.Add(address.ToString());
        foreach (var (key, value) in planned.Labels)
        {
            report.Labels[key] = value;
        }
        _latest[planned.Pod.Name] = report;
        _pending.Add(planned.Pod.Name);
    }

    /// <summary>Every pod again, after the control plane's pod restarted (its registrations live in memory).</summary>
    public void ResendAll() => _pending.UnionWith(_latest.Keys);

    /// <summary>Sends what waits; stops at the first failure (the control plane is not there yet) and keeps the rest.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var name in _pending.Order(StringComparer.Ordinal).ToList())
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                await _client.ReportAsync(_latest[name], cancellationToken: timeout.Token);
            }
            catch (Exception e) when (e is RpcException or IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                ResendAll(); // it may come back as a new process that knows no pod
                return;
            }

            _pending.Remove(name);
            if (_latest[name].Phase == PodEvent.Types.Phase.Stopped)
            {
                _latest.Remove(name);
            }
        }
    }

    public void Dispose() => _channel.Dispose();
}
