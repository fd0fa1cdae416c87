using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Waylay.LoadGen.Http;

/// <summary>
/// The benchmark's upstream: HTTP/1.1 keep-alive, answering every request with 200 and the same small body. It
/// frames requests by the end of their head only, so it serves body-less requests (GET, as the load generators send);
/// pipelined requests get their responses in one write. LOADGEN_RESPONSE_DELAY_MS holds every answer that long, so
/// that a burst's requests stay in flight through the proxies (to see what a proxy holds per request in flight).
/// </summary>
internal static class HttpServer
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(
        int.TryParse(Environment.GetEnvironmentVariable("LOADGEN_RESPONSE_DELAY_MS"), out var ms) ? ms : 0);

    public static async Task ServeAsync(int port, int bodyBytes)
    {
        var body = new string('x', bodyBytes);
        var response = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {bodyBytes}\r\n\r\n{body}");
        using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true };
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
        listener.Listen(4096);
        while (true)
        {
            var client = await listener.AcceptAsync();
            client.NoDelay = true;
            _ = ServeConnectionAsync(client, response);
        }
    }

    private static async Task ServeConnectionAsync(Socket client, byte[] response)
    {
        using (client)
        {
            var buffer = new byte[16 * 1024];
            var batch = Array.Empty<byte>();
            var filled = 0;
            try
            {
                while (true)
                {
                    var read = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                    var count = 0;
                    var start = 0;
                    int end;
                    while ((end = buffer.AsSpan(start, filled - start).IndexOf("\r\n\r\n"u8)) >= 0)
                    {
                        count++;
                        start += end + 4;
                    }

                    // Keep an unfinished head for the next read; a head that fills the buffer is not a request we serve.
                    Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                    filled -= start;
                    if (filled == buffer.Length)
                    {
                        return;
                    }

                    if (count > 0 && Delay > TimeSpan.Zero)
                    {
                        await Task.Delay(Delay);
                    }

                    if (count == 1)
                    {
                        await client.SendAsync(response, SocketFlags.None);
                    }
                    else if (count > 1)
                    {
                        if (batch.Length != count * response.Length)
                        {
                            batch = new byte[count * response.Length];
                            for (var i = 0; i < count; i++)
                            {
                                response.CopyTo(batch, i * response.Length);
                            }
                        }

                        await client.SendAsync(batch, SocketFlags.None);
                    }
                }
            }
            catch (SocketException)
            {
            }
        }
    }
}
