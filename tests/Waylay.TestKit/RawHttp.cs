using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Waylay.TestKit;

/// <summary>One HTTP/1.x response as read off the wire.</summary>
public sealed record RawHttpResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Fields, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The first field of that name (case-insensitive), or null.</summary>
    public string? Field(string name) => Fields.FirstOrDefault(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// HTTP/1.1 over a plain socket, byte for byte: for what <see cref="HttpClient"/> will not send (malformed requests,
/// heads trickled one byte at a time, oversized fields) and for reading exactly what the proxy answered, including
/// whether it then closed. Responses are framed by Content-Length, chunked, or the end of the connection.
/// </summary>
public sealed class RawHttp : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public RawHttp(Socket socket) => _socket = socket;

    public Socket Socket => _socket;

    /// <summary>One GET with <c>Connection: close</c> from inside the namespace as root (not captured): admin pages.</summary>
    public static async Task<RawHttpResponse> GetAsync(TestNamespace ns, IPEndPoint endPoint, string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var socket = ns.Socket(endPoint.AddressFamily);
        using var http = new RawHttp(socket);
        await socket.ConnectAsync(endPoint, timeout.Token);
        await http.SendAsync($"GET {path} HTTP/1.1\r\nHost: {endPoint}\r\nConnection: close\r\n\r\n", timeout.Token);
        return await http.ReadResponseAsync(timeout.Token);
    }

    public async Task SendAsync(string text, CancellationToken cancellationToken = default) =>
        await SendAsync(Encoding.ASCII.GetBytes(text), cancellationToken);

    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Reads one response (skipping interim 1xx); throws at EOF before a complete response.</summary>
    public async Task<RawHttpResponse> ReadResponseAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var head = await ReadHeadAsync(cancellationToken);
            var lines = head.Split("\r\n");
            var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
            var fields = lines.Skip(1).Where(l => l.Length > 0)
                .Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(':', StringComparison.Ordinal)].Trim(), l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()))
                .ToList();
            if (status is >= 100 and < 200 and not 101)
            {
                continue;
            }

            string? Get(string name) => fields.FirstOrDefault(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
            byte[] body;
            if (status is 204 or 304 or 101)
            {
                body = [];
            }
            else if (Get("transfer-encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                body = await ReadChunkedAsync(cancellationToken);
            }
            else if (Get("content-length") is { } length)
            {
                body = await ReadExactlyAsync(int.Parse(length, CultureInfo.InvariantCulture), cancellationToken);
            }
            else
            {
                body = await ReadToEndAsync(cancellationToken);
            }

            return new RawHttpResponse(status, fields, body);
        }
    }

    /// <summary>Reads one interim (1xx) response head, e.g. the <c>100 Continue</c> a client with <c>Expect</c> waits for; throws on any other.</summary>
    public async Task<int> ReadInterimAsync(CancellationToken cancellationToken = default)
    {
        var head = await ReadHeadAsync(cancellationToken);
        var status = int.Parse(head.Split("\r\n")[0].Split(' ')[1], CultureInfo.InvariantCulture);
        return status is >= 100 and < 200 ? status : throw new InvalidDataException($"expected an interim response, got: {head}");
    }

    /// <summary>True when the peer ends the connection (EOF or reset) within 20 s with nothing more to read.</summary>
    public async Task<bool> ClosedByPeerAsync(CancellationToken cancellationToken = default)
    {
        if (_end > _start)
        {
            return false;
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            return await _socket.ReceiveAsync(new byte[1], SocketFlags.None, bound.Token) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();

    private async Task<string> ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Encoding.ASCII.GetString(_buffer, _start, end);
                _start += end + 4;
                return head;
            }

            if (!await FillAsync(cancellationToken))
            {
                throw new EndOfStreamException($"the connection ended before a response head; got: '{Encoding.ASCII.GetString(_buffer, _start, _end - _start)}'");
            }
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (end >= 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, end);
                _start += end + 2;
                return line;
            }

            if (!await FillAsync(cancellationToken))
            {
                throw new EndOfStreamException("the connection ended inside a chunked body");
            }
        }
    }

    private async Task<byte[]> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var size = int.Parse(( await ReadLineAsync(cancellationToken)).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                while ((await ReadLineAsync(cancellationToken)).Length > 0)
                {
                    // trailers
                }

                return body.ToArray();
            }

            body.Write(await ReadExactlyAsync(size, cancellationToken));
            await ReadLineAsync(cancellationToken);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (!await FillAsync(cancellationToken))
            {
                throw new EndOfStreamException($"the connection ended after {_end - _start} of {count} body bytes");
            }
        }

        var bytes = _buffer.AsSpan(_start, count).ToArray();
        _start += count;
        return bytes;
    }

    private async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
    {
        while (await FillAsync(cancellationToken))
        {
        }

        var bytes = _buffer.AsSpan(_start, _end - _start).ToArray();
        _start = _end;
        return bytes;
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        int read;
        try
        {
            read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            read = 0;
        }

        _end += read;
        return read > 0;
    }
}
