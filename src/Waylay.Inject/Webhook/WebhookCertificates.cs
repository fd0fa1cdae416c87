using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Waylay.Inject.Webhook;

/// <summary>
/// Makes what the API server needs to trust the webhook: a CA (its certificate becomes the
/// MutatingWebhookConfiguration's caBundle) and a serving certificate for the Service's DNS names
/// (<c>&lt;service&gt;.&lt;namespace&gt;.svc</c>, the name the API server dials). ECDSA P-256, SHA-256.
/// The CA's private key is not kept: rotation makes a new CA and a new caBundle.
/// </summary>
internal static class WebhookCertificates
{
    public const string CaFile = "ca.crt";
    public const string CertFile = "tls.crt";
    public const string KeyFile = "tls.key";

    public static WebhookCertificateSet Generate(string service, string ns, IReadOnlyList<IPAddress> extraAddresses, TimeProvider time, TimeSpan validity)
    {
        var notBefore = time.GetUtcNow().AddMinutes(-5); // tolerate clocks a little behind ours
        var notAfter = notBefore + validity;

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=waylay-webhook-ca.{ns}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter.AddDays(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={service}.{ns}.svc", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in DnsNames(service, ns))
        {
            names.AddDnsName(dns);
        }

        foreach (var address in extraAddresses)
        {
            names.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number (RFC 5280, 4.1.2.2)
        using var leaf = request.Create(ca, notBefore, notAfter, serial);

        return new WebhookCertificateSet(ca.ExportCertificatePem() + "\n", leaf.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    /// <summary>The names the API server may dial for a Service: it uses &lt;service&gt;.&lt;namespace&gt;.svc.</summary>
    public static IEnumerable<string> DnsNames(string service, string ns) =>
        [service, $"{service}.{ns}", $"{service}.{ns}.svc", $"{service}.{ns}.svc.cluster.local"];

    /// <summary>Writes ca.crt, tls.crt and tls.key (mode 0600) into <paramref name="directory"/>.</summary>
    public static void Write(WebhookCertificateSet set, string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, CaFile), set.CaPem);
        File.WriteAllText(Path.Combine(directory, CertFile), set.CertPem);
        var keyPath = Path.Combine(directory, KeyFile);
        File.WriteAllText(keyPath, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(keyPath, set.KeyPem);
    }
}

/// <summary>PEM texts: the CA certificate (the caBundle), the serving certificate and its private key.</summary>
internal sealed record WebhookCertificateSet(string CaPem, string CertPem, string KeyPem);
