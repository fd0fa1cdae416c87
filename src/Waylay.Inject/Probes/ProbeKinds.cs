namespace Waylay.Inject.Probes;

/// <summary>The probe fields of a container and the name each gets under the proxy's /app-health/&lt;container&gt;/ (Istio's names).</summary>
internal static class ProbeKinds
{
    public static readonly (string Field, string Path)[] All =
    [
        ("livenessProbe", "livez"),
        ("readinessProbe", "readyz"),
        ("startupProbe", "startupz"),
    ];

    public static string Url(string container, string path) => $"/app-health/{container}/{path}";
}
