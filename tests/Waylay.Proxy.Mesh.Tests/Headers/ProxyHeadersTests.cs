using System.Text.Json;
using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Headers;

/// <summary>
/// What a transparent sidecar adds and keeps (Envoy's connection manager with Istio's settings): Host exactly as the
/// app sent it, <c>x-forwarded-proto</c>, <c>x-forwarded-for</c> with the app's address, an <c>x-request-id</c> when
/// the app sent none (the app's own kept as is), and trace context: a new W3C <c>traceparent</c> when none came,
/// the caller's trace id continued (with this hop's span) when <c>traceparent</c> or B3 came.
/// </summary>
public sealed class ProxyHeadersTests
{
    [NetnsFact]
    public async Task ForwardedRequest_KeepsHost_AddsForwardedFieldsRequestIdAndTraceContext_ContinuesCallersTrace()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null);
        using var client = lab.Client();

        // 1. A bare request: everything is added.
        var bare = await FieldsAsync(client, new HttpRequestMessage(HttpMethod.Get, ServiceLab.Url("/headers")));
        Assert.Equal("reviews:9080", bare["host"]);
        Assert.Equal("http", bare["x-forwarded-proto"]);
        // Each sidecar appends the address it was called from, without a port, as Envoy does (the h2 path too).
        Assert.All(bare["x-forwarded-for"].Split(','), element => Assert.Equal("10.244.1.2", element.Trim()));
        Assert.Matches("^[0-9a-fA-F-]{16,}$", bare["x-request-id"]);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", bare["traceparent"]);
        Assert.False(bare.ContainsKey("x-forwarded-host"), "a transparent sidecar adds no x-forwarded-host");

        // 2. The app's own request id and W3C context: the id untouched, the trace continued under a new span.
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        const string parent = "00f067aa0ba902b7";
        var request = new HttpRequestMessage(HttpMethod.Get, ServiceLab.Url("/headers"));
        request.Headers.Add("x-request-id", "app-chose-this-id");
        request.Headers.Add("traceparent", $"00-{traceId}-{parent}-01");
        var w3c = await FieldsAsync(client, request);
        Assert.Equal("app-chose-this-id", w3c["x-request-id"]);
        Single(w3c, "traceparent");
        Assert.StartsWith($"00-{traceId}-", w3c["traceparent"]);
        Assert.DoesNotContain(parent, w3c["traceparent"]);

        // 3. B3 multi-header context: the trace id continues.
        request = new HttpRequestMessage(HttpMethod.Get, ServiceLab.Url("/headers"));
        request.Headers.Add("x-b3-traceid", traceId);
        request.Headers.Add("x-b3-spanid", parent);
        request.Headers.Add("x-b3-sampled", "1");
        var b3 = await FieldsAsync(client, request);
        Single(b3, "x-b3-traceid");
        Single(b3, "x-b3-spanid");
        Assert.Equal(traceId, b3["x-b3-traceid"]);
        Assert.NotEqual(parent, b3["x-b3-spanid"]);
        Assert.StartsWith($"00-{traceId}-", b3["traceparent"]);

        // Two requests without an id got two different ones.
        var again = await FieldsAsync(client, new HttpRequestMessage(HttpMethod.Get, ServiceLab.Url("/headers")));
        Assert.NotEqual(bare["x-request-id"], again["x-request-id"]);
    }

    /// <summary>The app got the field once: the proxy replaced the caller's, it did not add a second line.</summary>
    private static void Single(Dictionary<string, string> fields, string name) =>
        Assert.False(fields[name].Contains(',', StringComparison.Ordinal), $"the app received {name} more than once: '{fields[name]}'");

    private static async Task<Dictionary<string, string>> FieldsAsync(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
            return JsonSerializer.Deserialize<Dictionary<string, string>>(await response.Content.ReadAsStringAsync())!;
        }
    }
}
