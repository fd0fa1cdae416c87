namespace Waylay.Control.Install;

/// <summary>
/// What <c>waylay install</c> puts in a cluster: where (the namespace), from which image (control plane, webhook and
/// every injected sidecar run the same one), and who signs the webhook's serving certificate (Waylay, or cert-manager).
/// </summary>
/// <param name="Image">The image reference; the injector's default is what <c>waylay image build</c> names its image.</param>
/// <param name="CertManager">cert-manager issues the webhook's certificate and its cainjector fills the caBundle.</param>
internal sealed record InstallOptions(string Namespace, string Image, bool CertManager)
{
    /// <summary>The default namespace; the injector's default discovery address names it.</summary>
    public const string DefaultNamespace = "waylay-system";

    public string ImagePullPolicy { get; init; } = "IfNotPresent";

    /// <summary>How long a generated serving certificate (and its CA) is valid; running install again renews it when near its end.</summary>
    public TimeSpan CertificateValidity { get; init; } = TimeSpan.FromDays(365);

    /// <summary>
    /// How long <c>--apply</c> waits for a webhook replica to be available before registering the webhook: with
    /// <c>failurePolicy: Fail</c>, a registered webhook that is not serving refuses every pod in labelled namespaces.
    /// </summary>
    public TimeSpan WebhookReadyTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the webhook Deployment's status is read while waiting.</summary>
    public TimeSpan WebhookReadyPoll { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A generated certificate with less than this left is replaced instead of kept.</summary>
    public TimeSpan RenewBefore { get; init; } = TimeSpan.FromDays(30);
}
