using System.Buffers;
using System.Text;
using Waylay.Proxy.Http.Http1;
using Xunit;

namespace Waylay.Proxy.Telemetry.Tests;

/// <summary>Parses request heads the way the connection core will: through the real HTTP/1 parser.</summary>
internal static class Wire
{
    public static Http1RequestHead Parse(string head)
    {
        var parser = new Http1RequestParser();
        var status = parser.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(head)), out _, out _, out var error);
        Assert.Equal(Http1Error.None, error);
        Assert.Equal(Http1ParseStatus.Complete, status);
        return parser.Head;
    }

    public static string Request(params string[] fields) =>
        "GET /productpage?u=1 HTTP/1.1\r\nHost: productpage:9080\r\n" + string.Concat(fields.Select(f => f + "\r\n")) + "\r\n";
}
