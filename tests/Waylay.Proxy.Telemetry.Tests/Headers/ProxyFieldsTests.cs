using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Http.Http1;
using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Telemetry.Tests.Headers;

/// <summary>
/// The proxy's ids are kept as numbers and formatted twice over: into the HTTP/1 head's bytes, and as strings for h2,
/// logs and tests. Both must be exactly the text the decorator used to make as strings.
/// </summary>
public sealed class ProxyFieldsTests
{
    private const string TraceId = "80f198ee56343ba864fe8b2a57d3eff7";
    private const string SpanId = "e457b5a2e4d86bd1";
    private const string ParentId = "05e3ac9a4f6e3b90";
    private const int Seed = 42;

    public static TheoryData<string, SpanKind, bool, bool, string[]> Cases() => new()
    {
        { "root, 128-bit", SpanKind.Client, true, true, [] },
        { "root, 64-bit", SpanKind.Client, true, false, [] },
        { "root, 128-bit, b3", SpanKind.Client, true, true, ["b3: 1"] },
        { "root, 64-bit, b3 deny", SpanKind.Client, true, false, ["b3: 0"] },
        { "child, 128-bit", SpanKind.Client, true, true, [$"x-b3-traceid: {TraceId}", $"x-b3-spanid: {SpanId}", $"x-b3-parentspanid: {ParentId}", "x-b3-sampled: 1"] },
        { "child, 64-bit", SpanKind.Client, true, true, ["x-b3-traceid: 64fe8b2a57d3eff7", $"x-b3-spanid: {SpanId}", "x-b3-sampled: 0"] },
        { "child, 128-bit, b3 with parent", SpanKind.Client, true, true, [$"b3: {TraceId}-{SpanId}-1-{ParentId}"] },
        { "child, 64-bit, b3 debug", SpanKind.Client, true, true, [$"b3: 64fe8b2a57d3eff7-{SpanId}-d"] },
        { "child of a server without shared context", SpanKind.Server, false, true, ["traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"] },
        { "shared span, 128-bit, parent", SpanKind.Server, true, true, [$"x-b3-traceid: {TraceId}", $"x-b3-spanid: {SpanId}", $"x-b3-parentspanid: {ParentId}", "x-b3-sampled: 1"] },
        { "shared span, 64-bit, b3, no parent", SpanKind.Server, true, true, [$"b3: 64fe8b2a57d3eff7-{SpanId}-0"] },
        { "shared span, leading zeros", SpanKind.Server, true, true, ["x-b3-traceid: 00000000000000010000000000000abc", "x-b3-spanid: 0000000000000001", "x-b3-parentspanid: 00000000000000f0"] },
        { "shared span, 64-bit leading zeros, b3", SpanKind.Server, true, true, ["b3: 0000000000000abc-0000000000000001-1-00000000000000f0"] },
        { "malformed b3: no trace", SpanKind.Client, true, true, ["x-b3-traceid: zz", $"x-b3-spanid: {SpanId}"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Http1Bytes_AreNameColonValue_ForEveryField(string name, SpanKind kind, bool shared, bool id128, string[] received)
    {
        foreach (var ownRequestId in new[] { false, true })
        {
            var head = Wire.Parse(Wire.Request(ownRequestId ? [.. received, "X-Request-Id: r-1"] : received));
            var fields = Decorate(head, kind, shared, id128);
            var edits = fields.ReplacesReceived ? TraceFieldMask.For(HeaderEdits.None) : HeaderEdits.None;

            var proxyLines = new StringBuilder();
            var pairs = new KeyValuePair<string, string>[fields.Count];
            for (var i = 0; i < fields.Count; i++)
            {
                pairs[i] = new(fields.Name(i), fields.Value(i));
                proxyLines.Append($"{fields.Name(i)}: {fields.Value(i)}\r\n");
            }

            var formatted = Write(head, edits, (output, h, e) => Http1HeadWriter.WriteRequest(output, h, h.PathAndQuery, e, fields, "reviews:9080"));
            var fromStrings = Write(head, edits, (output, h, e) => Http1HeadWriter.WriteRequest(output, h, h.PathAndQuery, e, pairs, "reviews:9080"));

            Assert.Equal(fromStrings, formatted);
            Assert.EndsWith("\r\n" + proxyLines + "\r\n", Encoding.Latin1.GetString(formatted));
            Assert.Equal(ownRequestId ? null : pairs[0].Value, fields.GeneratedRequestId);
            Assert.True(fields.Count > 0, name);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Values_AreTheTextTheDecoratorAlwaysMade(string name, SpanKind kind, bool shared, bool id128, string[] received)
    {
        var fields = Decorate(Wire.Parse(Wire.Request(received)), kind, shared, id128);
        var trace = fields.Trace;
        var seen = new HashSet<string>();
        for (var i = 0; i < fields.Count; i++)
        {
            var value = fields.Value(i);
            Assert.True(seen.Add(fields.Name(i)), $"{name}: {fields.Name(i)} twice");
            switch (fields.Name(i))
            {
                case TraceFieldNames.RequestId:
                    Assert.Equal(ProxyFieldKind.RequestId, fields.Kind(i));
                    Assert.Matches(new Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"), value);
                    Assert.Equal(OldRequestId(), value); // the decorator's first draw, formatted as it used to be
                    Assert.Equal(value, fields.GeneratedRequestId);
                    break;
                case TraceFieldNames.B3TraceId:
                    Assert.Equal(trace!.Value.TraceIdHex(), value);
                    Assert.Equal(trace.Value.Is128Bit ? 32 : 16, value.Length);
                    break;
                case TraceFieldNames.B3SpanId:
                    Assert.Equal(trace!.Value.SpanId.ToString("x16"), value);
                    break;
                case TraceFieldNames.B3ParentSpanId:
                    Assert.Equal(trace!.Value.ParentId.ToString("x16"), value);
                    break;
                case TraceFieldNames.B3Sampled:
                    Assert.Equal(ProxyFieldKind.Text, fields.Kind(i));
                    Assert.Equal(trace!.Value.Sampled ? "1" : "0", value);
                    break;
                case TraceFieldNames.TraceParent:
                    Assert.Equal(trace!.Value.TraceParent(), value);
                    break;
                case TraceFieldNames.B3:
                    Assert.Equal(trace!.Value.B3Single(), value);
                    break;
                case TraceFieldNames.ForwardedFor:
                    Assert.Equal("10.244.1.5", value);
                    break;
                case TraceFieldNames.ForwardedProto:
                    Assert.Equal("http", value);
                    break;
                default:
                    Assert.Fail($"{name}: unexpected field {fields.Name(i)}");
                    break;
            }
        }

        Assert.Equal(trace is not null, seen.Contains(TraceFieldNames.TraceParent));
        Assert.Equal(trace is { HasParent: true }, seen.Contains(TraceFieldNames.B3ParentSpanId));
        Assert.Equal(received.Any(f => f.StartsWith("b3:", StringComparison.Ordinal)) && trace is not null, seen.Contains(TraceFieldNames.B3));
    }

    [Fact]
    public void WritingTheHead_AllocatesNothingForTheProxysFields()
    {
        var head = Wire.Parse(Wire.Request($"b3: {TraceId}-{SpanId}-1-{ParentId}"));
        var fields = Decorate(head, SpanKind.Client, true, true);
        var edits = TraceFieldMask.For(HeaderEdits.None);
        var output = new ArrayBufferWriter<byte>(4096);
        for (var i = 0; i < 100; i++)
        {
            output.ResetWrittenCount();
            Http1HeadWriter.WriteRequest(output, head, head.PathAndQuery, edits, fields, "reviews:9080");
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 200; i++)
        {
            output.ResetWrittenCount();
            Http1HeadWriter.WriteRequest(output, head, head.PathAndQuery, edits, fields, "reviews:9080");
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static ProxyFields Decorate(Http1RequestHead head, SpanKind kind, bool shared, bool id128)
    {
        var decorator = new RequestDecorator(new RequestDecoratorOptions { SamplingPercentage = 50, SharedSpanContext = shared, TraceId128Bit = id128 }, new Random(Seed));
        return decorator.Decorate(head, kind, "10.244.1.5");
    }

    private static byte[] Write(Http1RequestHead head, HeaderEdits edits, Action<ArrayBufferWriter<byte>, Http1RequestHead, HeaderEdits> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output, head, edits);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The pre-change formatting: 16 random bytes, version 4 and variant 10 set, as 8-4-4-4-12 lower-case hex.</summary>
    private static string OldRequestId()
    {
        var bytes = new byte[16];
        new Random(Seed).NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0f) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        var hex = Convert.ToHexStringLower(bytes);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}
