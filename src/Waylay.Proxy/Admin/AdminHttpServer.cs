using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Waylay.Proxy.Telemetry;
using Waylay.Proxy.Lifecycle;

namespace Waylay.Proxy.Admin;

/// <summary>
/// A deliberately small HTTP/1.1 server for the admin and health ports: one request per connection, no body, answered
/// with Content-Length and <c>Connection: close</c>. Kestrel would do it too but costs ~15 MB of RSS and most of the
/// start-up time for five GET routes (docs/designs/proxy.md has the measurement); these ports face curl, kubelet and
/// Prometheus, never the mesh's traffic.
/// </summary>
internal sealed class AdminHttpServer : IDisposable
{
    private const int MaxHead = 8192;
    private readonly Socket _socket;
    private readonly Func<AdminRequest, ValueTask<AdminResponse>> _handle;
    private readonly ILogger _logger;

    private AdminHttpServer(Socket socket, Func<AdminRequest, ValueTask<AdminResponse>> handle, ILogger logger)
    {
        _socket = socket;
        _handle = handle;
        _logger = logger;
    }

    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <param name="handle">(method, path) → response.</param>
    public static AdminHttpServer Start(IPEndPoint endPoint, string flag, Func<string, string, AdminResponse> handle, ILogger logger) =>
        Start(endPoint, flag, request => ValueTask.FromResult(handle(request.Method, request.Path)), logger);

    /// <param name="flag">The flag that chose the port (<c>--admin-port</c>, <c>--health-port</c>, <c>--metrics-port</c>), named when it is taken.</param>
    /// <param name="handle">request → response, asynchronously (the health port's app probes wait for the app).</param>
    public static AdminHttpServer Start(IPEndPoint endPoint, string flag, Func<AdminRequest, ValueTask<AdminResponse>> handle, ILogger logger)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            socket.Listen(128);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ProxyStartException($"cannot listen on {endPoint} ({flag}): {e.Message}; stop what holds the port or give {flag} another one");
        }

        var server = new AdminHttpServer(socket, handle, logger);
        _ = server.AcceptLoopAsync();
        return server;
    }

    public void Dispose() => _socket.Dispose();

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var _ = client;
        var buffer = ArrayPool<byte>.Shared.Rent(MaxHead);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var length = 0;
            int end;
            while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (length == MaxHead)
                {
                    await WriteAsync(client, AdminResponse.Text(431, "request head too large\n")).ConfigureAwait(false);
                    return;
                }

                var read = await client.ReceiveAsync(buffer.AsMemory(length, MaxHead - length), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                length += read;
            }

            var lineEnd = buffer.AsSpan(0, end).IndexOf("\r\n"u8) is var n and >= 0 ? n : end;
            var requestLine = Encoding.ASCII.GetString(buffer, 0, lineEnd);
            var parts = requestLine.Split(' ');
            if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                await WriteAsync(client, AdminResponse.Text(400, "malformed request line\n")).ConfigureAwait(false);
                return;
            }

            var path = parts[1];
            var query = path.IndexOf('?');
            AdminResponse response;
            try
            {
                var fields = Fields(Encoding.Latin1.GetString(buffer, lineEnd, end - lineEnd));
                response = await _handle(new AdminRequest(parts[0], query < 0 ? path : path[..query], fields)).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                ProxyLog.AdminFailed(_logger, e.Message);
                response = AdminResponse.Text(500, e.Message + "\n");
            }

            await WriteAsync(client, response).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // the client went away or never finished its request: nothing to answer
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The header fields after the request line ("\r\nName: value" lines), as sent.</summary>
    private static List<KeyValuePair<string, string>> Fields(string block)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var line in block.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':');
            if (colon > 0)
            {
                fields.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        return fields;
    }

    private static string Reason(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } reason ? reason : "Unknown";

    private static async Task WriteAsync(Socket client, AdminResponse response)
    {
        var head = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {response.Status} {Reason(response.Status)}\r\nContent-Type: {response.ContentType}\r\nContent-Length: {response.Body.Length}\r\nConnection: close\r\n\r\n");
        await client.SendAsync(head, SocketFlags.None).ConfigureAwait(false);
        if (response.Body.Length > 0)
        {
            await client.SendAsync(response.Body, SocketFlags.None).ConfigureAwait(false);
        }

        client.Shutdown(SocketShutdown.Send);
    }
}
