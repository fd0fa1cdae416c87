namespace Waylay.Proxy.Lifecycle;

/// <summary>The proxy cannot start for a reason the user can fix; the message names it and the fix.</summary>
internal sealed class ProxyStartException(string message) : Exception(message);
