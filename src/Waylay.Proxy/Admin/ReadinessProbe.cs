using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Waylay.Proxy.Admin;

/// <summary>
/// <c>waylay proxy wait-ready</c>: polls 127.0.0.1:&lt;admin&gt;/ready until it answers 200, so the injector's postStart
/// hook holds the app's start until the sidecar can carry its connections (Istio's holdApplicationUntilProxyStarts).
/// </summary>
internal static class ReadinessProbe
{
    /// <returns>Null when ready; otherwise the last thing that went wrong, for the error message.</returns>
    public static async Task<string?> WaitAsync(ushort adminPort, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        var last = "no answer yet";
        while (time.GetElapsedTime(start) < timeout)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (status, detail) = await ProbeAsync(adminPort, cancellationToken).ConfigureAwait(false);
            if (status == 200)
            {
                return null;
            }

            last = detail;
            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken).ConfigureAwait(false);
        }

        return last;
    }

    /// <summary>One GET /ready: the status code (0 when nothing answered) and what was seen.</summary>
    public static async Task<(int Status, string Detail)> ProbeAsync(ushort adminPort, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, adminPort), deadline.Token).ConfigureAwait(false);
            await socket.SendAsync("GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, deadline.Token).ConfigureAwait(false);
            var buffer = new byte[1024];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, deadline.Token).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var firstLine = text.Split("\r\n")[0];
            var parts = firstLine.Split(' ');
            // The body says why it is not ready (e.g. "NOT READY: waiting for the first config from discovery …").
            var body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0 ? text[(end + 4)..].Trim() : "";
            var detail = body.Length > 0 ? $"{firstLine}: {body}" : firstLine;
            return parts.Length >= 2 && int.TryParse(parts[1], out var status) ? (status, detail) : (0, $"unexpected answer '{firstLine}'");
        }
        catch (SocketException e)
        {
            return (0, $"127.0.0.1:{adminPort}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (0, $"127.0.0.1:{adminPort}: no answer within 2s");
        }
    }
}
