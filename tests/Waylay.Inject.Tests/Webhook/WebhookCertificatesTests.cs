using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Waylay.Inject.Webhook;

namespace Waylay.Inject.Tests.Webhook;

public sealed class WebhookCertificatesTests
{
    [Fact]
    public void ServingCertificate_ChainsToTheCa_ForTheServiceNames()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var set = WebhookCertificates.Generate("waylay-webhook", "waylay-system", [IPAddress.Loopback], time, TimeSpan.FromDays(365));
        var ca = X509Certificate2.CreateFromPem(set.CaPem);
        using var leaf = X509Certificate2.CreateFromPem(set.CertPem, set.KeyPem);
        Assert.True(leaf.HasPrivateKey);

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().AddDays(1).UtcDateTime;
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));

        Assert.True(leaf.MatchesHostname("waylay-webhook.waylay-system.svc"));
        Assert.True(leaf.MatchesHostname("waylay-webhook.waylay-system.svc.cluster.local"));
        Assert.False(leaf.MatchesHostname("other.waylay-system.svc"));
        Assert.Equal(time.GetUtcNow().AddMinutes(-5).UtcDateTime, leaf.NotBefore.ToUniversalTime());
    }

    [Fact]
    public void Write_KeepsTheKeyPrivate()
    {
        var directory = Directory.CreateTempSubdirectory("wl-inject-certs-").FullName;
        try
        {
            WebhookCertificates.Write(WebhookCertificates.Generate("s", "n", [], TimeProvider.System, TimeSpan.FromDays(1)), directory);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(directory, "tls.key")));
            Assert.True(File.Exists(Path.Combine(directory, "ca.crt")));
            Assert.True(File.Exists(Path.Combine(directory, "tls.crt")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
