using System.Net;

namespace Waylay.Capture.Tests.Kernel;

/// <summary>Where the kernel delivered a test connection: which listener took it and what it learned there.</summary>
/// <param name="Where">"pod:15001", "peer:9080", … or "refused" / "timeout".</param>
internal sealed record Landing(string Where, IPEndPoint? OriginalDestination = null, IPEndPoint? LocalEndPoint = null)
{
    public override string ToString() => OriginalDestination is null ? Where : $"{Where} (original destination {OriginalDestination})";
}
