using Microsoft.Extensions.Logging;

namespace Waylay.Control;

/// <summary>The control plane's logs (ids 8100–8199; the Kubernetes source has 8000–8049).</summary>
internal static partial class ControlLog
{
    [LoggerMessage(8100, LogLevel.Warning, "cannot read {File}: {Error}")]
    public static partial void FileUnreadable(ILogger logger, string file, string error);

    [LoggerMessage(8101, LogLevel.Information, "source {Source} revision {Revision}: {Services} services, {Rules} routing rules, {Ignored} resources not applied")]
    public static partial void SourceChanged(ILogger logger, string source, long revision, int services, int rules, int ignored);

    [LoggerMessage(8102, LogLevel.Information, "version {Version}: changed {Types}; pushing to the proxies whose view changed")]
    public static partial void Pushing(ILogger logger, long version, string types);

    [LoggerMessage(8103, LogLevel.Information, "proxy {Proxy} connected from {Peer}")]
    public static partial void ProxyConnected(ILogger logger, string proxy, string peer);

    [LoggerMessage(8104, LogLevel.Information, "proxy {Proxy} disconnected")]
    public static partial void ProxyDisconnected(ILogger logger, string proxy);

    [LoggerMessage(8105, LogLevel.Warning, "proxy {Proxy} refused {Type} version {Version} (NACK): {Error}")]
    public static partial void Nack(ILogger logger, string proxy, string type, string version, string error);

    [LoggerMessage(8106, LogLevel.Information, "serving discovery (gRPC) on port {Port} and /debug/syncz, /debug/configz, /metrics on port {DebugPort}")]
    public static partial void Serving(ILogger logger, ushort port, ushort debugPort);
}
