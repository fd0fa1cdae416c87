using System.Net;
using Waylay.Inject.Values;

namespace Waylay.Inject.Webhook;

/// <summary>How <c>waylay webhook</c> serves: address and port (15017, design.md), the PEM pair, values and limits.</summary>
internal sealed record WebhookOptions
{
    public IPAddress Address { get; init; } = IPAddress.IPv6Any;
    public int Port { get; init; } = 15017;
    public required string CertPath { get; init; }
    public required string KeyPath { get; init; }
    public InjectionValues Values { get; init; } = InjectionValues.Default;

    /// <summary>An AdmissionReview carries the object (etcd caps it at ~1.5 MiB) and, for updates, the old one.</summary>
    public long MaxRequestBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>The API server gives up after the webhook's timeoutSeconds (10 in our manifests); so do we.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public bool LogToConsole { get; init; } = true;
}
