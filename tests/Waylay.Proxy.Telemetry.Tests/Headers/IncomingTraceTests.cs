using Waylay.Proxy.Http.Headers;
using Xunit;

namespace Waylay.Proxy.Telemetry.Tests.Headers;

/// <summary>Envoy's <c>SpanContextExtractor</c> cases for the single <c>b3</c> field, one per accepted shape.</summary>
public sealed class IncomingTraceTests
{
    [Theory]
    [InlineData("64fe8b2a57d3eff7-e457b5a2e4d86bd1", 0ul, 0x64fe8b2a57d3eff7ul, 0ul, null, false)]
    [InlineData("64fe8b2a57d3eff7-e457b5a2e4d86bd1-0", 0ul, 0x64fe8b2a57d3eff7ul, 0ul, false, false)]
    [InlineData("64fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90", 0ul, 0x64fe8b2a57d3eff7ul, 0x05e3ac9a4f6e3b90ul, true, false)]
    [InlineData("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d", 0x80f198ee56343ba8ul, 0x64fe8b2a57d3eff7ul, 0ul, true, true)]
    [InlineData("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-0-05e3ac9a4f6e3b90", 0x80f198ee56343ba8ul, 0x64fe8b2a57d3eff7ul, 0x05e3ac9a4f6e3b90ul, false, false)]
    public void B3Single_AcceptedShapes(string b3, ulong high, ulong low, ulong parent, bool? sampled, bool debug)
    {
        var trace = IncomingTrace.Read(Wire.Parse(Wire.Request($"b3: {b3}")));

        Assert.Equal(IncomingTraceKind.Context, trace.Kind);
        Assert.Equal((high, low, 0xe457b5a2e4d86bd1ul, parent), (trace.Context.TraceIdHigh, trace.Context.TraceId, trace.Context.SpanId, trace.Context.ParentId));
        Assert.Equal(sampled, trace.Sampled);
        Assert.Equal(debug, trace.Debug);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("64fe8b2a57d3eff7")]
    [InlineData("64fe8b2a57d3eff7-e457b5a2e4d86bd1-")]
    [InlineData("64fe8b2a57d3eff7-e457b5a2e4d86bd1-2")]
    [InlineData("64fe8b2a57d3eff7-e457b5a2e4d86bd1-1-")]
    [InlineData("64fe8b2a57d3eff7+e457b5a2e4d86bd1-1")]
    [InlineData("0000000000000000-e457b5a2e4d86bd1-1")]
    public void B3Single_Malformed_IsInvalid(string b3) =>
        Assert.Equal(IncomingTraceKind.Invalid, IncomingTrace.Read(Wire.Parse(Wire.Request($"b3: {b3}"))).Kind);

    [Fact]
    public void EmptyParentSpanId_IsNoParent_AsEnvoyReadsIt()
    {
        var trace = IncomingTrace.Read(Wire.Parse(Wire.Request("x-b3-traceid: 64fe8b2a57d3eff7", "x-b3-spanid: e457b5a2e4d86bd1", "x-b3-parentspanid:")));

        Assert.Equal(IncomingTraceKind.Context, trace.Kind);
        Assert.Equal(0ul, trace.Context.ParentId);
        Assert.Null(trace.Sampled);
    }

    [Fact]
    public void OnlyTheFirstLineOfAFieldCounts()
    {
        var trace = IncomingTrace.Read(Wire.Parse(Wire.Request("x-b3-traceid: 64fe8b2a57d3eff7", "x-b3-spanid: e457b5a2e4d86bd1", "x-b3-spanid: zz", "x-b3-sampled: 0", "x-b3-sampled: 1")));

        Assert.Equal(0xe457b5a2e4d86bd1ul, trace.Context.SpanId);
        Assert.False(trace.Sampled);
    }

    [Fact]
    public void NoTraceFields_IsNone()
    {
        var trace = IncomingTrace.Read(Wire.Parse(Wire.Request("tracestate: a=1", "x-b3-flags: 0")));
        Assert.Equal((IncomingTraceKind.None, false, (bool?)null), (trace.Kind, trace.HasTraceFields, trace.Sampled));
    }
}
