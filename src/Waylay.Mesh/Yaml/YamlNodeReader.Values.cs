using System.Globalization;
using System.Net;
using YamlDotNet.RepresentationModel;

namespace Waylay.Mesh.Yaml;

/// <summary>Numbers, durations, ports and addresses: parsed once here, into typed values.</summary>
internal sealed partial class YamlNodeReader
{
    public long? Integer(YamlMappingNode node, string path, string key, long min, long max)
    {
        var text = String(node, path, key);
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Error(Join(path, key), $"must be a whole number from {min} to {max}, not '{text}'", Get(node, key));
        return null;
    }

    public double? Number(YamlMappingNode node, string path, string key, double min, double max)
    {
        var text = String(node, path, key);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Error(Join(path, key), $"must be a number from {min} to {max}, not '{text}'", Get(node, key));
        return null;
    }

    /// <summary>
    /// A duration in Go's form (<see cref="GoDuration"/>; protobuf JSON's <c>1.500s</c> is one too), held to Istio's
    /// validation: at least 1ms and in whole milliseconds, except 0 where <paramref name="allowZero"/> says it means "off".
    /// </summary>
    public TimeSpan? Duration(YamlMappingNode node, string path, string key, bool allowZero = false)
    {
        var text = String(node, path, key);
        if (text is null)
        {
            return null;
        }

        const long NanosecondsPerMillisecond = 1_000_000;
        if (!GoDuration.TryParse(text, out long nanoseconds, out var error))
        {
            Error(Join(path, key), error!, Get(node, key));
            return null;
        }

        if (nanoseconds < NanosecondsPerMillisecond && !(allowZero && nanoseconds == 0))
        {
            Error(Join(path, key), $"must be at least 1ms, not '{text}'", Get(node, key));
            return null;
        }

        if (nanoseconds % NanosecondsPerMillisecond != 0)
        {
            Error(Join(path, key), $"'{text}' is finer than a millisecond, which Istio does not accept", Get(node, key));
            return null;
        }

        return TimeSpan.FromMilliseconds(nanoseconds / NanosecondsPerMillisecond);
    }

    /// <summary>Istio's <c>port: {number: 9080}</c>.</summary>
    public ushort? PortNumber(YamlMappingNode node, string path, string key)
    {
        if (OptionalMapping(node, path, key) is not { } port)
        {
            return null;
        }

        var portPath = Join(path, key);
        Supported(port, portPath, "number");
        var number = Integer(port, portPath, "number", 1, 65535);
        if (number is null && Get(port, "number") is null)
        {
            Error(Join(portPath, "number"), "is required", port);
        }

        return (ushort?)number;
    }

    /// <summary>A port written as a bare number (<c>port: 9080</c>).</summary>
    public ushort? Port(YamlMappingNode node, string path, string key, bool required)
    {
        if (Get(node, key) is not { } value)
        {
            if (required)
            {
                Error(Join(path, key), $"is required: add '{key}: <1-65535>'", node);
            }

            return null;
        }

        return PortValue(value, Join(path, key));
    }

    public ushort? PortValue(YamlNode value, string path)
    {
        if (value is YamlScalarNode { Value: { } text }
            && ushort.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0)
        {
            return port;
        }

        Error(path, $"'{(value as YamlScalarNode)?.Value}' is not a port; use a number from 1 to 65535", value);
        return null;
    }

    public IPAddress? Address(YamlMappingNode node, string path, string key) =>
        String(node, path, key, required: true) is { } text ? ParseAddress(text, Join(path, key), Get(node, key)!) : null;

    public List<IPAddress> Addresses(YamlMappingNode node, string path, string key)
    {
        var result = new List<IPAddress>();
        if (Sequence(node, path, key, "must be a list of IP addresses, e.g. [10.96.0.10]") is not { } sequence)
        {
            return result;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var item = sequence.Children[i];
            if (ParseAddress((item as YamlScalarNode)?.Value ?? "", $"{Join(path, key)}[{i}]", item) is { } address)
            {
                result.Add(address);
            }
        }

        return result;
    }

    private IPAddress? ParseAddress(string text, string path, YamlNode node)
    {
        if (IPAddress.TryParse(text, out var address) && !text.Contains('/'))
        {
            return address;
        }

        Error(path, $"'{text}' is not an IP address; write e.g. 10.96.0.10 or fd00:96::10 (no prefix length, no host name)", node);
        return null;
    }
}
