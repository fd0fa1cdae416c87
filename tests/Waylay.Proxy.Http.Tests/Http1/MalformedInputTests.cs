using Waylay.Proxy.Http.Http1;
using Xunit;

namespace Waylay.Proxy.Http.Tests.Http1;

/// <summary>The proxy never crashes on bad input: whatever the bytes, the parser answers with a status, never an exception.</summary>
public sealed class MalformedInputTests
{
    private static readonly string[] Seeds =
    [
        "GET /a HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n",
        "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
        "PUT /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;e=\"v\"\r\nabc\r\n0\r\nT: 1\r\n\r\n",
        "GET http://h:80/x HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
    ];

    [Fact]
    public void MutatedRequests_NeverThrow_AndAlwaysEndInAVerdict()
    {
        var random = new Random(4242);
        var interesting = "\r\n\0 \t:;,\"#@%-_0123456789abcdefABCDEF\u0080\u00ff\v\u007f".Select(c => (byte)c).ToArray();
        for (var round = 0; round < 3000; round++)
        {
            var wire = Bytes.Of(Seeds[round % Seeds.Length]).ToList();
            var mutations = 1 + random.Next(4);
            for (var m = 0; m < mutations; m++)
            {
                var at = random.Next(wire.Count);
                switch (random.Next(3))
                {
                    case 0: wire[at] = interesting[random.Next(interesting.Length)]; break;
                    case 1: wire.Insert(at, interesting[random.Next(interesting.Length)]); break;
                    default: wire.RemoveAt(at); break;
                }
            }

            var bytes = wire.ToArray();
            var (messages, error) = Http1Reading.Requests(bytes, 1 + random.Next(8));
            Assert.True(messages.Count <= 2, "a mutation cannot make more messages than bytes allow");
            Assert.True(error == Http1Error.None || error.StatusCode() is 400 or 431 or 501 or 505, error.ToString());
        }
    }

    [Fact]
    public void ExpectContinue_IsDetected()
    {
        var parser = new Http1RequestParser();
        parser.TryParse(Bytes.Sequence("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n"), out _, out _, out _);
        Assert.True(parser.Head.ExpectContinue);
    }
}
