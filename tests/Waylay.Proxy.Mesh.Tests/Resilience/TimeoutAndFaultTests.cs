using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Resilience;

/// <summary>
/// Envoy's route timeout and fault filter as Istio's VirtualService configures them: a route <c>timeout</c> answers 504
/// with flag UT when the app is slower (the request did reach it); <c>fault.abort</c> at 100 % answers the configured
/// status itself with flag FI and the app never sees the request; <c>fault.delay</c> at 100 % holds the request for
/// the delay (flag DI, the access log's duration at least the delay) and then forwards it.
/// </summary>
public sealed class TimeoutAndFaultTests : IClassFixture<TimeoutAndFaultTests.Fixture>
{
    private const string VirtualService = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews
          namespace: default
        spec:
          hosts: [reviews]
          http:
          - name: slow-backend
            match: [{uri: {prefix: /delay/}}]
            timeout: 0.5s
            route: [{destination: {host: reviews}}]
          - name: abort
            match: [{uri: {prefix: /abort}}]
            fault:
              abort:
                httpStatus: 418
                percentage: {value: 100}
            route: [{destination: {host: reviews}}]
          - name: injected-delay
            match: [{uri: {prefix: /injected-delay}}]
            fault:
              delay:
                fixedDelay: 1s
                percentage: {value: 100}
            route: [{destination: {host: reviews}}]
          - name: default
            route: [{destination: {host: reviews}}]
        """;

    private readonly Fixture _fixture;

    public TimeoutAndFaultTests(Fixture fixture) => _fixture = fixture;

    private ServiceLab Lab => _fixture.Lab;

    [NetnsFact]
    public async Task RouteTimeout_SlowerApp_504WithFlagUT_FasterAppServed()
    {
        using var client = Lab.Client();

        using var slow = await client.GetAsync(ServiceLab.Url("/delay/5000"));
        Assert.Equal(504, (int)slow.StatusCode);
        Assert.True(slow.Headers.Contains("x-waylay-proxy-error"), $"a synthetic 504 carries x-waylay-proxy-error; headers: {slow.Headers}");
        Assert.Contains(Lab.Endpoints, e => e.Served.Any(r => r.PathAndQuery == "/delay/5000"));
        var line = await AccessLogs.LineForAsync(Lab.AccessLog!, "/delay/5000");
        Assert.Equal(504, line.ResponseCode);
        Assert.Contains("UT", line.ResponseFlags.Split(','));

        using var fast = await client.GetAsync(ServiceLab.Url("/delay/10"));
        Assert.Equal(200, (int)fast.StatusCode);
        Assert.Equal("-", (await AccessLogs.LineForAsync(Lab.AccessLog!, "/delay/10")).ResponseFlags);
    }

    [NetnsFact]
    public async Task FaultAbortAtHundredPercent_ConfiguredStatus_AppNeverSeesTheRequest_FlagFI()
    {
        using var client = Lab.Client();
        for (var i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync(ServiceLab.Url($"/abort/{i}"));
            Assert.Equal(418, (int)response.StatusCode);
        }

        Assert.DoesNotContain(Lab.Endpoints, e => e.Served.Any(r => r.PathAndQuery.StartsWith("/abort", StringComparison.Ordinal)));
        var line = await AccessLogs.LineForAsync(Lab.AccessLog!, "/abort/19");
        Assert.Equal(418, line.ResponseCode);
        Assert.Contains("FI", line.ResponseFlags.Split(','));
    }

    [NetnsFact]
    public async Task FaultDelayAtHundredPercent_RequestIsServedAfterTheDelay_FlagDI()
    {
        using var client = Lab.Client();
        using var response = await client.GetAsync(ServiceLab.Url("/injected-delay"));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains(Lab.Endpoints, e => e.Served.Any(r => r.PathAndQuery == "/injected-delay"));

        // The proxy's own measure of the request, not the test's clock. .NET timers run on a coarse millisecond tick
        // (CLOCK_MONOTONIC_COARSE on Linux, one jiffy: up to 4 ms), so a 1 s timer may end a few ms before a precise
        // stopwatch says 1 s: 10 ms of slack, far below anything that would mean "not delayed".
        var line = await AccessLogs.LineForAsync(Lab.AccessLog!, "/injected-delay");
        Assert.Equal(200, line.ResponseCode);
        Assert.True(line.ResponseFlags.Split(',').Contains("DI"), $"no DI flag: {line.Raw}");
        Assert.True(line.DurationMilliseconds >= 990, $"the access log's duration {line.DurationMilliseconds} ms is shorter than the 1 s fault delay: {line.Raw}");
    }

    public sealed class Fixture : LabFixture
    {
        private protected override Task<ServiceLab> StartAsync() => ServiceLab.StartAsync(VirtualService, accessLog: true);
    }
}
