using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Waylay.Inject.Install;
using Waylay.Inject.Webhook;

namespace Waylay.Control.Install;

/// <summary>
/// How the API server comes to trust the webhook, one of two ways:
/// <code>
/// generated     a CA and a serving certificate for the Service's DNS names (WebhookCertificates), the pair in the
///               Secret waylay-webhook-certs the webhook mounts, the CA in the MutatingWebhookConfiguration's caBundle
/// cert-manager  Issuer (self-signed) → Certificate (the CA) → Issuer (that CA) → Certificate (the serving pair, into
///               the same Secret); the configuration is annotated cert-manager.io/inject-ca-from and cert-manager's
///               cainjector writes the caBundle (what cert-manager documents for webhooks)
/// </code>
/// </summary>
internal static class WebhookServing
{
    public const string CaFile = "ca.crt";
    public const string InjectCaFrom = "cert-manager.io/inject-ca-from";
    private const string SelfSignedIssuer = "waylay-selfsigned";
    private const string CaName = "waylay-webhook-ca";

    public static V1Secret Secret(string ns, WebhookCertificateSet certificates) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = new V1ObjectMeta { Name = InstallManifests.CertsSecret, NamespaceProperty = ns },
        Type = "kubernetes.io/tls",
        Data = new Dictionary<string, byte[]>
        {
            ["tls.crt"] = Encoding.ASCII.GetBytes(certificates.CertPem),
            ["tls.key"] = Encoding.ASCII.GetBytes(certificates.KeyPem),
            [CaFile] = Encoding.ASCII.GetBytes(certificates.CaPem),
        },
    };

    /// <summary>The pair in an existing Secret, or null when it is not one install wrote.</summary>
    public static WebhookCertificateSet? Read(V1Secret secret) =>
        secret.Data is { } data && data.TryGetValue("tls.crt", out var cert) && data.TryGetValue("tls.key", out var key) && data.TryGetValue(CaFile, out var ca)
            ? new WebhookCertificateSet(Encoding.ASCII.GetString(ca), Encoding.ASCII.GetString(cert), Encoding.ASCII.GetString(key))
            : null;

    /// <summary>
    /// Whether a pair read back from the cluster still serves: signed by its CA, for the Service's name, and valid
    /// for longer than <paramref name="renewBefore"/>. Keeping it makes a second install change nothing, where a new
    /// CA would reach the caBundle at once but the pods' mounted Secret only a minute later: refused admissions.
    /// </summary>
    public static bool IsCurrent(WebhookCertificateSet set, string ns, DateTimeOffset now, TimeSpan renewBefore)
    {
        try
        {
            using var ca = X509Certificate2.CreateFromPem(set.CaPem);
            using var cert = X509Certificate2.CreateFromPem(set.CertPem);
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            return chain.Build(cert)
                && cert.NotAfter.ToUniversalTime() - now.UtcDateTime > renewBefore
                && cert.MatchesHostname($"{InstallManifests.Name}.{ns}.svc");
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The four cert-manager objects, in the order they depend on each other.</summary>
    public static IReadOnlyList<CertManagerObject> CertManager(string ns, IDictionary<string, string> labels)
    {
        // cert-manager copies these labels onto the Secrets it makes, so uninstall finds them too.
        var secretTemplate = new Dictionary<string, object> { ["labels"] = new Dictionary<string, string>(labels) };
        var ecdsa = new Dictionary<string, object> { ["algorithm"] = "ECDSA", ["size"] = 256 };
        Dictionary<string, object> IssuerRef(string name) => new() { ["name"] = name, ["kind"] = "Issuer", ["group"] = CertManagerObject.Group };
        CertManagerObject Make(string kind, string name, Dictionary<string, object> spec) =>
            new() { Kind = kind, Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns }, Spec = spec };

        return
        [
            Make("Issuer", SelfSignedIssuer, new() { ["selfSigned"] = new Dictionary<string, object>() }),
            Make("Certificate", CaName, new()
            {
                ["isCA"] = true,
                ["commonName"] = $"{CaName}.{ns}",
                ["secretName"] = CaName,
                ["privateKey"] = ecdsa,
                ["issuerRef"] = IssuerRef(SelfSignedIssuer),
                ["secretTemplate"] = secretTemplate,
            }),
            Make("Issuer", CaName, new() { ["ca"] = new Dictionary<string, object> { ["secretName"] = CaName } }),
            Make("Certificate", InstallManifests.Name, new()
            {
                ["secretName"] = InstallManifests.CertsSecret,
                ["dnsNames"] = WebhookCertificates.DnsNames(InstallManifests.Name, ns).ToList(),
                ["usages"] = new List<string> { "server auth", "digital signature" },
                ["privateKey"] = ecdsa,
                ["issuerRef"] = IssuerRef(CaName),
                ["secretTemplate"] = secretTemplate,
            }),
        ];
    }

    /// <summary>The Secrets cert-manager writes for the objects of <see cref="CertManager"/>, as "Secret ns/name".</summary>
    public static IEnumerable<string> CertManagerSecrets(string ns) => [$"Secret {ns}/{CaName}", $"Secret {ns}/{InstallManifests.CertsSecret}"];

    /// <summary>The value of <see cref="InjectCaFrom"/>: the Certificate whose CA the cainjector copies into the caBundle.</summary>
    public static string CaSource(string ns) => $"{ns}/{InstallManifests.Name}";
}
