using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Waylay.Inject.Webhook;

/// <summary>
/// The webhook's serving certificate, read from PEM files and read again when they change (a rotated Secret
/// is updated in the mounted volume in place). Checked on every TLS handshake, which for a webhook (two small
/// files, a handful of requests a second) is cheap;
/// a half-written pair fails to load and the previous certificate stays in use until the pair is whole.
/// </summary>
internal sealed class CertificateReloader
{
    private readonly string _certPath;
    private readonly string _keyPath;
    private readonly Lock _lock = new();
    private byte[] _stamp;
    private X509Certificate2 _current;

    public CertificateReloader(string certPath, string keyPath)
    {
        _certPath = certPath;
        _keyPath = keyPath;
        _stamp = Stamp();
        _current = Load(certPath, keyPath);
    }

    public event Action<X509Certificate2>? Reloaded;

    public event Action<Exception>? ReloadFailed;

    public X509Certificate2 Current
    {
        get
        {
            lock (_lock)
            {
                var stamp = Stamp();
                if (!stamp.AsSpan().SequenceEqual(_stamp))
                {
                    try
                    {
                        _current = Load(_certPath, _keyPath);
                        _stamp = stamp;
                        Reloaded?.Invoke(_current);
                    }
                    catch (Exception e) when (e is CryptographicException or IOException or ArgumentException)
                    {
                        ReloadFailed?.Invoke(e);
                    }
                }

                return _current;
            }
        }
    }

    /// <summary>Loads a PEM pair; the message names the file and the fix when it cannot.</summary>
    public static X509Certificate2 Load(string certPath, string keyPath)
    {
        foreach (var path in new[] { certPath, keyPath })
        {
            if (!File.Exists(path))
            {
                throw new IOException($"{path}: no such file; generate a pair with 'waylay webhook certs --out DIR'.");
            }
        }

        try
        {
            return X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (CryptographicException e)
        {
            throw new CryptographicException($"{certPath} / {keyPath}: not a PEM certificate and its private key ({e.Message}); generate a pair with 'waylay webhook certs --out DIR'.", e);
        }
    }

    /// <summary>A hash of both files' contents: a Secret update swaps symlinks, so timestamps alone can mislead.</summary>
    private byte[] Stamp()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in new[] { _certPath, _keyPath })
        {
            try
            {
                hash.AppendData(File.ReadAllBytes(path));
            }
            catch (IOException)
            {
                hash.AppendData([0]);
            }
        }

        return hash.GetHashAndReset();
    }
}
