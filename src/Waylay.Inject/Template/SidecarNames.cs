namespace Waylay.Inject.Template;

/// <summary>The names injection gives what it adds (Istio's istio-init, istio-proxy, istio-envoy, istio-certs).</summary>
internal static class SidecarNames
{
    public const string InitContainer = "waylay-init";
    public const string ProxyContainer = "waylay-proxy";
    public const string ConfigVolume = "waylay-envoy";
    public const string CertsVolume = "waylay-certs";
    public const string ConfigMountPath = "/etc/waylay/proxy";
    public const string CertsMountPath = "/etc/certs/";

    /// <summary>The proxy's env var holding the app probes it answers for (Istio: ISTIO_KUBE_APP_PROBERS).</summary>
    public const string AppProbersEnv = "WAYLAY_KUBE_APP_PROBERS";

    /// <summary>The secret holding the workload's certificates: waylay.&lt;service account&gt; (the seed's istio.default).</summary>
    public static string CertsSecret(string serviceAccount) => $"waylay.{serviceAccount}";
}
