using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Waylay.LoadGen.Http;

/// <summary>
/// Holds COUNT HTTP/1.1 keep-alive connections open through the proxies, for their memory with many connections:
/// opens them all, then sends one GET on every one at once (so a proxy's upstream pool needs as many connections as
/// there are requests in flight, as with COUNT busy clients), waits for every response head, and holds the idle
/// connections for the given time. Prints "held N errors=E".
/// </summary>
internal static class HttpHold
{
    public static async Task<int> RunAsync(IPEndPoint target, string host, int count, double seconds)
    {
        var request = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: waylay-loadgen\r\nAccept: */*\r\n\r\n");
        var sockets = new Socket[count];
        for (var i = 0; i < count; i++)
        {
            sockets[i] = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await sockets[i].ConnectAsync(target);
        }

        var answers = await Task.WhenAll(sockets.Select(s => ExchangeAsync(s, request)));
        var errors = answers.Count(ok => !ok);
        Console.WriteLine($"held {count - errors} errors={errors}");
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }

        return errors == 0 ? 0 : 1;
    }

    /// <summary>One request; true when a 2xx response head came back (its body is left unread: nothing follows it).</summary>
    private static async Task<bool> ExchangeAsync(Socket socket, byte[] request)
    {
        var buffer = new byte[4096];
        var filled = 0;
        try
        {
            await socket.SendAsync(request, SocketFlags.None);
            while (buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8) < 0 && filled < buffer.Length)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (read == 0)
                {
                    return false;
                }

                filled += read;
            }

            return filled >= 12 && buffer.AsSpan(0, 12).StartsWith("HTTP/1.1 2"u8);
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
