namespace Waylay.Mesh.Networking;

/// <summary>
/// DestinationRule <c>trafficPolicy.outlierDetection</c> with Istio's defaults filled in: a field left out gets what
/// Istio leaves Envoy to default to (5 consecutive 5xx, gateway errors not counted, 10s interval, 30s base ejection,
/// 10% at most ejected). A count of 0 turns that detector off.
/// </summary>
public sealed record OutlierDetectionPolicy(
    int Consecutive5xxErrors,
    int ConsecutiveGatewayErrors,
    TimeSpan Interval,
    TimeSpan BaseEjectionTime,
    int MaxEjectionPercent)
{
    public static OutlierDetectionPolicy IstioDefaults { get; } = new(5, 0, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 10);

    /// <summary>Envoy's <c>max_ejection_time</c> default: the multiplied ejection never exceeds 300s (or the base, if larger).</summary>
    public TimeSpan MaxEjectionTime => BaseEjectionTime > TimeSpan.FromSeconds(300) ? BaseEjectionTime : TimeSpan.FromSeconds(300);
}
