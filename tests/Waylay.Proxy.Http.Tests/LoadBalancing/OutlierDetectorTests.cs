using System.Net;
using Microsoft.Extensions.Time.Testing;
using Waylay.Mesh.Networking;
using Waylay.Proxy.LoadBalancing;
using Xunit;

namespace Waylay.Proxy.Http.Tests.LoadBalancing;

public sealed class OutlierDetectorTests
{
    private static readonly IPEndPoint A = IPEndPoint.Parse("10.244.1.5:9080");
    private static readonly IPEndPoint B = IPEndPoint.Parse("10.244.1.6:9080");
    private static readonly IPEndPoint C = IPEndPoint.Parse("10.244.1.7:9080");

    private static OutlierDetectionPolicy Policy(int fiveXx = 3, int gateway = 0, int maxPercent = 100) =>
        new(fiveXx, gateway, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), maxPercent);

    [Fact]
    public void Consecutive5xx_EjectsAtTheThreshold()
    {
        var time = new FakeTimeProvider();
        using var detector = new OutlierDetector(Policy(), time, [A, B, C]);
        detector.ReportStatus(A, 500);
        detector.ReportStatus(A, 503);
        Assert.False(detector.IsEjected(A));
        detector.ReportStatus(A, 500);
        Assert.True(detector.IsEjected(A));
        Assert.Equal(1, detector.EjectedCount);
        Assert.False(detector.IsEjected(B));
    }

    [Fact]
    public void ASuccess_ResetsTheCount()
    {
        using var detector = new OutlierDetector(Policy(), new FakeTimeProvider(), [A, B]);
        detector.ReportStatus(A, 500);
        detector.ReportStatus(A, 500);
        detector.ReportStatus(A, 200);
        detector.ReportStatus(A, 500);
        detector.ReportStatus(A, 500);
        Assert.False(detector.IsEjected(A));
    }

    [Fact]
    public void GatewayErrors_CountOnlyWhenEnabled_And500ResetsThem()
    {
        using var detector = new OutlierDetector(Policy(fiveXx: 0, gateway: 2), new FakeTimeProvider(), [A, B]);
        detector.ReportStatus(A, 500);
        detector.ReportStatus(A, 500);
        detector.ReportStatus(A, 502);
        detector.ReportStatus(A, 500);
        detector.ReportStatus(A, 504);
        Assert.False(detector.IsEjected(A));
        detector.ReportFailure(A, UpstreamFailure.ConnectFailure); // a connect failure is a 503 to outlier detection
        Assert.True(detector.IsEjected(A));
    }

    [Fact]
    public void EjectedHost_ComesBackAfterBaseEjectionTime_CheckedEveryInterval()
    {
        var time = new FakeTimeProvider();
        using var detector = new OutlierDetector(Policy(), time, [A, B]);
        Fail(detector, A, 3);
        Pass(time, 9);
        Assert.True(detector.IsEjected(A));
        Pass(time, 1);
        Assert.False(detector.IsEjected(A));
        Assert.Equal(0, detector.EjectedCount);
    }

    [Fact]
    public void RepeatedEjections_LastLonger_AndTheMultiplierDecays()
    {
        var time = new FakeTimeProvider();
        using var detector = new OutlierDetector(Policy(), time, [A, B]);
        Fail(detector, A, 3);
        Pass(time, 10);
        Assert.False(detector.IsEjected(A));

        Fail(detector, A, 3); // second ejection right away: 2 × 10s
        Assert.Equal(2, detector.EjectionMultiplier(A));
        Pass(time, 19);
        Assert.True(detector.IsEjected(A));
        Pass(time, 1);
        Assert.False(detector.IsEjected(A));

        // healthy intervals bring the multiplier back down, one per interval
        Pass(time, 1);
        Assert.Equal(1, detector.EjectionMultiplier(A));
        Pass(time, 1);
        Assert.Equal(0, detector.EjectionMultiplier(A));
        Assert.Equal(2, detector.TotalEjections);
    }

    [Fact]
    public void MaxEjectionPercent_KeepsEnoughHostsIn()
    {
        using var detector = new OutlierDetector(Policy(maxPercent: 50), new FakeTimeProvider(), [A, B, C]);
        Fail(detector, A, 3);
        Fail(detector, B, 3);
        Assert.True(detector.IsEjected(A));
        Assert.False(detector.IsEjected(B)); // 2 of 3 would be 67% > 50%
        Assert.Equal(1, detector.EjectedCount);
    }

    [Fact]
    public void IstioDefaultMaxEjectionPercent_OfTen_EjectsNoneOfThree()
    {
        // Envoy's rule with Istio's 10% default: one host of three is 33%, so nothing is ejected. Users set
        // maxEjectionPercent for small services; this test pins the behaviour so nobody "fixes" it by accident.
        using var detector = new OutlierDetector(OutlierDetectionPolicy.IstioDefaults, new FakeTimeProvider(), [A, B, C]);
        Fail(detector, A, 10);
        Assert.False(detector.IsEjected(A));
    }

    [Fact]
    public void SetHosts_KeepsTheStateOfHostsThatStay()
    {
        var time = new FakeTimeProvider();
        using var detector = new OutlierDetector(Policy(), time, [A, B]);
        Fail(detector, A, 3);
        detector.SetHosts([A, C]);
        Assert.True(detector.IsEjected(A));
        Assert.Equal(1, detector.EjectedCount);
        detector.SetHosts([C]);
        Assert.Equal(0, detector.EjectedCount);
        detector.ReportStatus(B, 500); // a host no longer known is ignored
    }

    [Fact]
    public void ReportsFromManyThreads_EjectOnce()
    {
        using var detector = new OutlierDetector(Policy(fiveXx: 100), new FakeTimeProvider(), [A, B]);
        Parallel.For(0, 1000, _ => detector.ReportStatus(A, 503));
        Assert.True(detector.IsEjected(A));
        Assert.Equal(1, detector.TotalEjections);
    }

    /// <summary>
    /// Lets <paramref name="seconds"/> go by one second (one interval) at a time: FakeTimeProvider.Advance jumps the
    /// clock first and then fires every due tick at the final time, which is not how time passes for a sweep.
    /// </summary>
    private static void Pass(FakeTimeProvider time, int seconds)
    {
        for (var i = 0; i < seconds; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    private static void Fail(OutlierDetector detector, IPEndPoint host, int times)
    {
        for (var i = 0; i < times; i++)
        {
            detector.ReportStatus(host, 500);
        }
    }
}
