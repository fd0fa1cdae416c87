using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Waylay.Mesh.Networking;
using Waylay.Proxy.Http.Headers;
using Waylay.Proxy.Http.Http1;
using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Telemetry.Tests.Headers;

public sealed class RequestDecoratorTests
{
    private const string TraceId = "80f198ee56343ba864fe8b2a57d3eff7";
    private const string SpanId = "e457b5a2e4d86bd1";
    private const string ParentId = "05e3ac9a4f6e3b90";

    private static RequestDecorator Decorator(double sampling = 100, bool shared = true, bool id128 = true) =>
        new(new RequestDecoratorOptions { SamplingPercentage = sampling, SharedSpanContext = shared, TraceId128Bit = id128 }, new Random(42));

    private static Dictionary<string, string> Map(in ProxyFields fields)
    {
        var map = new Dictionary<string, string>();
        for (var i = 0; i < fields.Count; i++)
        {
            Assert.True(map.TryAdd(fields.Name(i), fields.Value(i)), $"{fields.Name(i)} written twice");
        }

        return map;
    }

    [Fact]
    public void NoContext_StartsARoot128BitTrace_WhoseLowHalfIsTheSpanId()
    {
        var fields = Decorator().Decorate(Wire.Parse(Wire.Request()), SpanKind.Client, "10.244.1.5");
        var map = Map(fields);

        Assert.Matches(new Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"), map["x-request-id"]);
        Assert.Equal(fields.GeneratedRequestId, map["x-request-id"]);
        Assert.Equal("10.244.1.5", map["x-forwarded-for"]);
        Assert.Equal("http", map["x-forwarded-proto"]);
        var trace = map["x-b3-traceid"];
        Assert.Matches(new Regex("^[0-9a-f]{32}$"), trace);
        Assert.Equal(trace[16..], map["x-b3-spanid"]); // Envoy: a root span's id is the trace id's low half
        Assert.False(map.ContainsKey("x-b3-parentspanid"));
        Assert.Equal("1", map["x-b3-sampled"]);
        Assert.Equal($"00-{trace}-{map["x-b3-spanid"]}-01", map["traceparent"]);
        Assert.False(map.ContainsKey("b3"));
        Assert.False(fields.ReplacesReceived);
        Assert.Equal(7, fields.Count);
    }

    /// <summary>
    /// The head writer sends the proxy's own fields as they are (they are not input): whatever the caller sent, every
    /// name and value the decorator makes is a token, an id, an address or a W3C/B3 value, never a caller's bytes.
    /// </summary>
    [Theory]
    [InlineData("x-b3-traceid: 80f198ee56343ba8\u00ff\t", "x-b3-spanid: e457b5a2e4d86bd1", "x-b3-sampled: 1")]
    [InlineData("traceparent: 00-80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-01 x", "b3: 80f198ee56343ba8-e457b5a2e4d86bd1-1-\u00e9")]
    [InlineData("b3: 80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d-05e3ac9a4f6e3b90", "x-forwarded-for: a, b", "x-request-id: \u00ff id")]
    public void ProxyFields_AreAlwaysPlainTokens_WhateverTheCallerSent(params string[] received)
    {
        foreach (var kind in new[] { SpanKind.Client, SpanKind.Server })
        {
            var fields = Decorator().Decorate(Wire.Parse(Wire.Request(received)), kind, "fd00::a:1");
            for (var i = 0; i < fields.Count; i++)
            {
                Assert.Matches(new Regex("^[a-z0-9-]+$"), fields.Name(i));
                Assert.Matches(new Regex("^[0-9a-zA-Z.:-]+$"), fields.Value(i));
            }
        }
    }

    [Fact]
    public void RootTrace_IsSampledByThePercentage_WhenTheCallerDidNotDecide()
    {
        var never = Map(Decorator(sampling: 0).Decorate(Wire.Parse(Wire.Request()), SpanKind.Client, null));
        Assert.Equal("0", never["x-b3-sampled"]);
        Assert.EndsWith("-00", never["traceparent"]);
        Assert.False(never.ContainsKey("x-forwarded-for"));
    }

    [Fact]
    public void B3Multi_Outbound_NewChildSpan_ParentIsTheCallersSpan_DecisionKept()
    {
        var head = Wire.Parse(Wire.Request($"X-B3-TraceId: {TraceId}", $"X-B3-SpanId: {SpanId}", $"X-B3-ParentSpanId: {ParentId}", "X-B3-Sampled: 1"));
        var fields = Decorator(sampling: 0).Decorate(head, SpanKind.Client, "127.0.0.1");
        var map = Map(fields);

        Assert.Equal(TraceId, map["x-b3-traceid"]);
        Assert.NotEqual(SpanId, map["x-b3-spanid"]);
        Assert.Matches(new Regex("^[0-9a-f]{16}$"), map["x-b3-spanid"]);
        Assert.Equal(SpanId, map["x-b3-parentspanid"]);
        Assert.Equal("1", map["x-b3-sampled"]);
        Assert.Equal($"00-{TraceId}-{map["x-b3-spanid"]}-01", map["traceparent"]);
        Assert.True(fields.ReplacesReceived);
        Assert.Equal(new TraceContext(0x80f198ee56343ba8, 0x64fe8b2a57d3eff7, fields.Trace!.Value.SpanId, 0xe457b5a2e4d86bd1, true, false), fields.Trace);
    }

    [Fact]
    public void B3Multi_Inbound_SharesTheClientsSpan_AsEnvoysSharedSpanContext()
    {
        var head = Wire.Parse(Wire.Request($"x-b3-traceid: {TraceId}", $"x-b3-spanid: {SpanId}", $"x-b3-parentspanid: {ParentId}", "x-b3-sampled: 0"));
        var map = Map(Decorator().Decorate(head, SpanKind.Server, null));

        Assert.Equal(SpanId, map["x-b3-spanid"]);
        Assert.Equal(ParentId, map["x-b3-parentspanid"]);
        Assert.Equal("0", map["x-b3-sampled"]);
    }

    [Fact]
    public void B3Multi_Inbound_WithoutSharedContext_MakesAChild()
    {
        var head = Wire.Parse(Wire.Request($"x-b3-traceid: {TraceId}", $"x-b3-spanid: {SpanId}", "x-b3-sampled: true"));
        var map = Map(Decorator(shared: false).Decorate(head, SpanKind.Server, null));

        Assert.NotEqual(SpanId, map["x-b3-spanid"]);
        Assert.Equal(SpanId, map["x-b3-parentspanid"]);
        Assert.Equal("1", map["x-b3-sampled"]); // "true" is the old Zipkin spelling Envoy accepts
    }

    [Fact]
    public void B3Multi_64BitTraceId_StaysShort_AndIsPaddedInTraceparent()
    {
        var head = Wire.Parse(Wire.Request("x-b3-traceid: 64fe8b2a57d3eff7", $"x-b3-spanid: {SpanId}", "x-b3-sampled: 1"));
        var map = Map(Decorator().Decorate(head, SpanKind.Client, null));

        Assert.Equal("64fe8b2a57d3eff7", map["x-b3-traceid"]);
        Assert.Equal($"00-000000000000000064fe8b2a57d3eff7-{map["x-b3-spanid"]}-01", map["traceparent"]);
    }

    [Fact]
    public void B3Single_IsReadFirst_AndRewrittenForTheNextHop()
    {
        var head = Wire.Parse(Wire.Request($"b3: {TraceId}-{SpanId}-1-{ParentId}", "x-b3-traceid: 1111111111111111", "x-b3-spanid: 2222222222222222"));
        var map = Map(Decorator(sampling: 0).Decorate(head, SpanKind.Client, null));

        var span = map["x-b3-spanid"];
        Assert.Equal(TraceId, map["x-b3-traceid"]);
        Assert.Equal(SpanId, map["x-b3-parentspanid"]);
        Assert.Equal($"{TraceId}-{span}-1-{SpanId}", map["b3"]);
        Assert.Equal("1", map["x-b3-sampled"]);
    }

    [Fact]
    public void B3Single_DenyAlone_StartsARootThatIsNotSampled()
    {
        var map = Map(Decorator(sampling: 100).Decorate(Wire.Parse(Wire.Request("b3: 0")), SpanKind.Client, null));

        Assert.Equal("0", map["x-b3-sampled"]);
        Assert.False(map.ContainsKey("x-b3-parentspanid"));
        Assert.Equal($"{map["x-b3-traceid"]}-{map["x-b3-spanid"]}-0", map["b3"]);
    }

    [Fact]
    public void B3Flags_Debug_ForcesSampling_AndIsForwardedUnchanged()
    {
        var head = Wire.Parse(Wire.Request($"x-b3-traceid: {TraceId}", $"x-b3-spanid: {SpanId}", "x-b3-flags: 1"));
        var fields = Decorator(sampling: 0).Decorate(head, SpanKind.Client, null);

        Assert.Equal("1", Map(fields)["x-b3-sampled"]);
        Assert.True(fields.Trace!.Value.Debug);
        Assert.DoesNotContain("x-b3-flags", TraceFieldNames.Replaced);
    }

    [Theory]
    [InlineData("x-b3-traceid: zz", "x-b3-spanid: e457b5a2e4d86bd1")]
    [InlineData("x-b3-traceid: 80f198ee56343ba8", "x-b3-spanid: e457b5a2e4d86bd1e457")]
    [InlineData("b3: 80f198ee56343ba8-e457b5a2e4d86bd1-x", "x-b3-sampled: 1")]
    [InlineData("b3: 80f198ee56343ba8-e457b5a2e4d86bd1-1-05e3", "x-b3-sampled: 1")]
    public void MalformedB3_TracesNothing_AndForwardsTheFieldsUntouched(string first, string second)
    {
        var fields = Decorator().Decorate(Wire.Parse(Wire.Request(first, second, "X-Request-Id: abc")), SpanKind.Client, "10.0.0.1");

        Assert.Null(fields.Trace);
        Assert.False(fields.ReplacesReceived);
        Assert.Equal(["x-forwarded-for", "x-forwarded-proto"], Map(fields).Keys.Order());
        Assert.Null(fields.GeneratedRequestId);
    }

    [Fact]
    public void Traceparent_IsTheFallback_WhenNoB3IsSent()
    {
        var head = Wire.Parse(Wire.Request("traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "tracestate: rojo=00f067aa0ba902b7"));
        var fields = Decorator(sampling: 0).Decorate(head, SpanKind.Client, null);
        var map = Map(fields);

        Assert.Equal("0af7651916cd43dd8448eb211c80319c", map["x-b3-traceid"]);
        Assert.Equal("b7ad6b7169203331", map["x-b3-parentspanid"]);
        Assert.Equal("1", map["x-b3-sampled"]);
        Assert.Equal($"00-0af7651916cd43dd8448eb211c80319c-{map["x-b3-spanid"]}-01", map["traceparent"]);
        Assert.False(map.ContainsKey("tracestate")); // forwarded as received, never rewritten
        Assert.True(fields.ReplacesReceived);
    }

    [Fact]
    public void B3_WinsOverTraceparent()
    {
        var head = Wire.Parse(Wire.Request("traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", $"x-b3-traceid: {TraceId}", $"x-b3-spanid: {SpanId}"));
        var map = Map(Decorator().Decorate(head, SpanKind.Client, null));

        Assert.Equal(TraceId, map["x-b3-traceid"]);
        Assert.Equal(SpanId, map["x-b3-parentspanid"]);
    }

    [Theory]
    [InlineData("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01")] // upper case
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")] // version ff
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")] // zero trace id
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01")] // zero parent id
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra")] // version 00 with more
    public void InvalidTraceparent_StartsANewTrace_AndReplacesIt(string traceparent)
    {
        var fields = Decorator().Decorate(Wire.Parse(Wire.Request($"traceparent: {traceparent}")), SpanKind.Client, null);
        var map = Map(fields);

        Assert.DoesNotContain("0af7651916cd43dd8448eb211c80319c", map["x-b3-traceid"]);
        Assert.False(map.ContainsKey("x-b3-parentspanid"));
        Assert.True(fields.ReplacesReceived);
    }

    [Fact]
    public void FutureTraceparentVersion_WithMoreFields_IsAccepted()
    {
        var head = Wire.Parse(Wire.Request("traceparent: 01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-later"));
        Assert.Equal("b7ad6b7169203331", Map(Decorator().Decorate(head, SpanKind.Client, null))["x-b3-parentspanid"]);
    }

    [Fact]
    public void ExistingRequestIdAndProto_AreKept()
    {
        var fields = Decorator().Decorate(Wire.Parse(Wire.Request("X-Request-Id: r-1", "X-Forwarded-Proto: https")), SpanKind.Client, null);
        var map = Map(fields);

        Assert.False(map.ContainsKey("x-request-id"));
        Assert.False(map.ContainsKey("x-forwarded-proto"));
        Assert.Null(fields.GeneratedRequestId);
    }

    [Fact]
    public void ForwardedHead_ReplacesTheCallersTraceFields_KeepsTheRest()
    {
        var head = Wire.Parse("GET /r HTTP/1.1\r\nHost: reviews:9080\r\nX-Request-Id: r-1\r\nX-Forwarded-For: 10.0.0.9\r\n" +
            $"X-B3-TraceId: {TraceId}\r\nX-B3-SpanId: {SpanId}\r\nX-B3-Sampled: 1\r\nX-B3-Flags: 0\r\ntracestate: a=1\r\nAccept: */*\r\n\r\n");
        var fields = Decorator().Decorate(head, SpanKind.Client, "10.244.1.5");
        var edits = fields.ReplacesReceived ? TraceFieldMask.For(HeaderEdits.None) : HeaderEdits.None;
        var buffer = new ArrayBufferWriter<byte>();

        Http1HeadWriter.WriteRequest(buffer, head, head.PathAndQuery, edits, fields, "reviews:9080");

        var span = Map(fields)["x-b3-spanid"];
        Assert.Equal(
            "GET /r HTTP/1.1\r\nHost: reviews:9080\r\nX-Request-Id: r-1\r\nX-Forwarded-For: 10.0.0.9\r\nX-B3-Flags: 0\r\ntracestate: a=1\r\nAccept: */*\r\n" +
            $"x-forwarded-for: 10.244.1.5\r\nx-forwarded-proto: http\r\nx-b3-traceid: {TraceId}\r\nx-b3-spanid: {span}\r\nx-b3-parentspanid: {SpanId}\r\n" +
            $"x-b3-sampled: 1\r\ntraceparent: 00-{TraceId}-{span}-01\r\n\r\n",
            Encoding.Latin1.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void TraceFieldMask_KeepsWhatTheRouteMaskedAndAdded_AndIsBuiltOncePerEdits()
    {
        var route = HeaderEdits.Flatten(
            new HeaderMutation([new("x-env", "prod")], [new("x-tag", "a")], ["x-drop"]),
            new HeaderMutation([], [new("x-tag", "b")], []));
        var masked = TraceFieldMask.For(route);

        Assert.Same(masked, TraceFieldMask.For(route));
        Assert.Equal(route.Added, masked.Added);
        Assert.Equal(["x-drop", "x-env", .. TraceFieldNames.Replaced], masked.Masked);
    }

    [Fact]
    public void Decorating_AllocatesNothing()
    {
        var head = Wire.Parse(Wire.Request("X-Request-Id: r-1", $"x-b3-traceid: {TraceId}", $"x-b3-spanid: {SpanId}", "x-b3-sampled: 1", "User-Agent: curl"));
        var decorator = Decorator();
        for (var i = 0; i < 100; i++)
        {
            decorator.Decorate(head, SpanKind.Client, "10.0.0.1");
            TraceFieldMask.For(HeaderEdits.None);
        }

        const int Rounds = 200;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Rounds; i++)
        {
            decorator.Decorate(head, SpanKind.Client, "10.0.0.1");
            TraceFieldMask.For(HeaderEdits.None);
        }

        var perRequest = (GC.GetAllocatedBytesForCurrentThread() - before) / Rounds;

        // The new ids are kept as numbers and formatted where they are written (ProxyFieldsTests checks the bytes).
        Assert.Equal(0, perRequest);
    }
}
