using System.Net.Sockets;
using System.Runtime.InteropServices;
using Waylay.Linux;

namespace Waylay.Node.Kubelet;

/// <summary>
/// A socket made in a network namespace (the node's: the kubelet probes a pod from its node, not from inside the
/// pod). A socket belongs to the namespace it was created in, so only its creation happens on a thread that entered
/// the namespace; the thread ends right after, and connect and I/O go on anywhere.
/// </summary>
internal static class NodeSocket
{
    public static Socket Create(string netnsPath, AddressFamily family)
    {
        Socket? socket = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(netnsPath);
                if (Sched.SetNs((int)handle.DangerousGetHandle(), Sched.CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({netnsPath}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return socket ?? throw new InvalidOperationException($"could not make a socket in {netnsPath}: {failure?.Message}", failure);
    }
}
