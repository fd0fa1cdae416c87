using System.Net.Http.Headers;
using System.Security.Cryptography;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Http1;

/// <summary>
/// HTTP/1.1 message bodies through the sidecar on one keep-alive connection, as Envoy re-frames them: a request body
/// with Content-Length and one sent chunked (no length known) both reach the app byte for byte, and a chunked
/// response comes back whole; the connection stays usable after each.
/// </summary>
public sealed class BodyFramingTests
{
    [NetnsFact]
    public async Task ContentLengthAndChunkedBodies_BothWays_ByteExact_OnOneKeepAliveConnection()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null);
        using var client = lab.Client(maxConnections: 1);

        var payload = RandomNumberGenerator.GetBytes(1 << 20);
        using (var sized = await client.PostAsync(ServiceLab.Url("/echo"), new ByteArrayContent(payload)))
        {
            Assert.Equal(200, (int)sized.StatusCode);
            Assert.Equal(SHA256.HashData(payload), SHA256.HashData(await sized.Content.ReadAsByteArrayAsync()));
        }

        var chunked = new StreamContent(new MemoryStream(payload));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using (var request = new HttpRequestMessage(HttpMethod.Post, ServiceLab.Url("/echo")) { Content = chunked })
        {
            request.Headers.TransferEncodingChunked = true;
            using var response = await client.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(SHA256.HashData(payload), SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));
        }

        for (var i = 0; i < 3; i++)
        {
            var body = await client.GetStringAsync(ServiceLab.Url("/chunked"));
            Assert.Matches("^v[123]-chunked$", body);
        }

        Assert.Equal(2, lab.Endpoints.Sum(e => e.Served.Count(r => r.Method == "POST")));
        Assert.All(lab.Endpoints.SelectMany(e => e.Served).Where(r => r.Method == "POST" && r.Fields.ContainsKey("transfer-encoding")),
            r => Assert.Equal("chunked", r.Fields["transfer-encoding"]));
    }
}
