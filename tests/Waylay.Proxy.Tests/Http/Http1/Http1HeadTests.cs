using System.Buffers;
using System.Text;
using Waylay.Proxy.Http.Http1;
using Xunit;

namespace Waylay.Proxy.Tests.Http.Http1;

/// <summary><see cref="Http1Head"/>'s buffers: rented for a head, given back while the connection waits for the next.</summary>
public sealed class Http1HeadTests
{
    private static ReadOnlySequence<byte> Wire(string text) => new(Encoding.ASCII.GetBytes(text));

    [Fact]
    public void Release_LeavesNoFieldsBehind_AndTheNextHeadParsesWhole()
    {
        var parser = new Http1RequestParser();
        Assert.Equal(Http1ParseStatus.Complete, parser.TryParse(Wire("GET /a HTTP/1.1\r\nHost: a\r\nX-One: 1\r\n\r\n"), out _, out _, out _));
        Assert.Equal(2, parser.Head.FieldCount);

        parser.Head.Release();

        Assert.Equal(0, parser.Head.FieldCount);
        Assert.True(parser.Head.Raw.IsEmpty);
        Assert.Null(parser.Head.GetField("X-One"));

        // A head larger than the first buffer and with more fields than the first array: both are rented again, larger.
        var fields = string.Concat(Enumerable.Range(0, 40).Select(i => $"X-Field-{i}: {new string('v', 40)}\r\n"));
        Assert.Equal(Http1ParseStatus.Complete, parser.TryParse(Wire($"GET /b HTTP/1.1\r\nHost: b\r\n{fields}\r\n"), out _, out _, out _));
        Assert.Equal(41, parser.Head.FieldCount);
        Assert.Equal("/b", parser.Head.PathAndQuery);
        Assert.Equal(new string('v', 40), parser.Head.GetField("X-Field-39"));
    }

    [Fact]
    public void Release_Twice_IsHarmless()
    {
        var parser = new Http1ResponseParser();
        Assert.Equal(Http1ParseStatus.Complete, parser.TryParse(Wire("HTTP/1.1 204 No Content\r\nServer: s\r\n\r\n"), "GET", out _, out _, out _));

        parser.Head.Release();
        parser.Head.Release();

        Assert.Equal(204, parser.Head.StatusCode);
        Assert.Equal(0, parser.Head.FieldCount);
    }
}
