using System.Net;
using System.Text.Json;

namespace Waylay.Proxy.Admin;

/// <summary>The admin API's repeated JSON shapes: label maps and address lists, written the same way in every view.</summary>
internal static class AdminJson
{
    public static void WriteLabels(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, string>? labels)
    {
        json.WriteStartObject(name);
        foreach (var (key, value) in labels ?? new Dictionary<string, string>())
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    public static void WriteAddresses(Utf8JsonWriter json, string name, IEnumerable<IPAddress> addresses)
    {
        json.WriteStartArray(name);
        foreach (var address in addresses)
        {
            json.WriteStringValue(address.ToString());
        }

        json.WriteEndArray();
    }
}
