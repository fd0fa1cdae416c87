using System.Text.Json;
using Waylay.Discovery;

namespace Waylay.Proxy.Admin;

/// <summary>/config_dump's "discovery" object: the control plane, whether the stream is up, the version run per type, the last NACK.</summary>
internal static class DiscoveryDump
{
    public static void Write(Utf8JsonWriter json, DiscoveryStatus status)
    {
        json.WriteStartObject("discovery");
        json.WriteString("address", status.Address);
        json.WriteBoolean("connected", status.Connected);
        json.WriteString("runningVersion", status.RunningVersion);
        json.WriteStartObject("versions");
        foreach (var (type, version) in status.Versions.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            json.WriteString(type, version);
        }

        json.WriteEndObject();
        json.WriteNumber("connects", status.Connects);
        json.WriteNumber("acks", status.Acks);
        json.WriteNumber("nacks", status.Nacks);
        json.WriteString("lastNack", status.LastNack);
        json.WriteString("lastError", status.LastError);
        json.WriteEndObject();
    }
}
