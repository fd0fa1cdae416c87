using Waylay.Proxy.Configuration;

namespace Waylay.Proxy.Admin.AppProbes;

/// <summary>A tcpSocket probe: 200 when the app accepts a connection within the timeout, else 500 (pilot-agent's answer).</summary>
internal sealed class TcpAppProbe(AppProbeDialer dialer)
{
    public async ValueTask<AdminResponse> RunAsync(AppProber prober, CancellationToken cancellationToken)
    {
        using var socket = await dialer.ConnectAsync(null, prober.Port, cancellationToken).ConfigureAwait(false);
        return AdminResponse.Text(200, $"port {prober.Port} accepted the connection\n");
    }
}
