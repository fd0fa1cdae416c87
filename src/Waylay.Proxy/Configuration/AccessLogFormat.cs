namespace Waylay.Proxy.Configuration;

/// <summary>The access log's lines (<c>--access-log-format</c>): Envoy's default line (text) or Istio's JSON keys.</summary>
internal enum AccessLogFormat
{
    Text,
    Json,
}
