using System.Globalization;
using YamlDotNet.RepresentationModel;
using Waylay.Mesh.Yaml;

namespace Waylay.Mesh.Networking;

/// <summary>The per-route policies of an HTTP route: retries, fault injection and header changes.</summary>
public static partial class NetworkingReader
{
    private const string RetryConditions = "5xx, gateway-error, connect-failure, reset, refused-stream, retriable-status-codes, "
        + "cancelled, deadline-exceeded, internal, resource-exhausted, unavailable";

    private static HttpRetry ReadRetries(YamlNodeReader r, YamlMappingNode node, string path)
    {
        r.Supported(node, path, "attempts", "perTryTimeout", "retryOn");
        var attempts = (int?)r.Integer(node, path, "attempts", 0, 1000);
        if (attempts is null && r.Get(node, "attempts") is null)
        {
            r.Error(YamlNodeReader.Join(path, "attempts"), "is required", node);
        }

        var perTry = r.Duration(node, path, "perTryTimeout");
        var on = RetryOn.None;
        var codes = new List<int>();
        if (r.String(node, path, "retryOn") is { } text)
        {
            foreach (var raw in text.Split(','))
            {
                var token = raw.Trim();
                switch (token)
                {
                    case "5xx": on |= RetryOn.FiveXx; break;
                    case "gateway-error": on |= RetryOn.GatewayError; break;
                    case "connect-failure": on |= RetryOn.ConnectFailure; break;
                    case "reset": on |= RetryOn.Reset; break;
                    case "refused-stream": on |= RetryOn.RefusedStream; break;
                    case "retriable-status-codes": on |= RetryOn.RetriableStatusCodes; break;
                    case "cancelled": on |= RetryOn.Cancelled; break;
                    case "deadline-exceeded": on |= RetryOn.DeadlineExceeded; break;
                    case "internal": on |= RetryOn.Internal; break;
                    case "resource-exhausted": on |= RetryOn.ResourceExhausted; break;
                    case "unavailable": on |= RetryOn.Unavailable; break;
                    case "retriable-4xx" or "retriable-headers" or "envoy-ratelimited" or "http3-post-connect-failure" or "reset-before-request":
                        r.Error(YamlNodeReader.Join(path, "retryOn"), $"'{token}' is not supported by Waylay; use {RetryConditions} or status codes", node);
                        break;
                    default:
                        if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599)
                        {
                            on |= RetryOn.RetriableStatusCodes;
                            codes.Add(code);
                        }
                        else
                        {
                            r.Error(YamlNodeReader.Join(path, "retryOn"), $"'{token}' is not a retry condition; use {RetryConditions} or status codes", node);
                        }

                        break;
                }
            }
        }
        else
        {
            // Istio fills an empty retryOn with its default conditions.
            on = HttpRetry.IstioDefault.On;
            codes.AddRange(HttpRetry.IstioDefault.StatusCodes);
        }

        return new HttpRetry(attempts ?? 0, perTry, on, codes);
    }

    private static HttpFault ReadFault(YamlNodeReader r, YamlMappingNode node, string path)
    {
        r.Supported(node, path, "delay", "abort");
        FaultDelay? delay = null;
        FaultAbort? abort = null;
        if (r.OptionalMapping(node, path, "delay") is { } d)
        {
            var delayPath = YamlNodeReader.Join(path, "delay");
            r.Supported(d, delayPath, "fixedDelay", "percentage", "percent");
            var fixedDelay = r.Duration(d, delayPath, "fixedDelay");
            if (fixedDelay is null && r.Get(d, "fixedDelay") is null)
            {
                r.Error(YamlNodeReader.Join(delayPath, "fixedDelay"), "is required (exponentialDelay is not supported by Waylay)", d);
            }

            delay = new FaultDelay(fixedDelay ?? TimeSpan.Zero, ReadPercentage(r, d, delayPath));
        }

        if (r.OptionalMapping(node, path, "abort") is { } a)
        {
            var abortPath = YamlNodeReader.Join(path, "abort");
            r.Supported(a, abortPath, "httpStatus", "percentage", "percent");
            var status = (int?)r.Integer(a, abortPath, "httpStatus", 200, 599);
            if (status is null && r.Get(a, "httpStatus") is null)
            {
                r.Error(YamlNodeReader.Join(abortPath, "httpStatus"), "is required (grpcStatus and http2Error are not supported by Waylay)", a);
            }

            abort = new FaultAbort(status ?? 500, ReadPercentage(r, a, abortPath));
        }

        if (delay is null && abort is null)
        {
            r.Error(path, "needs a delay or an abort", node);
        }

        return new HttpFault(delay, abort);
    }

    /// <summary>
    /// <c>percentage.value</c> (0–100, fractions allowed), or the deprecated integer <c>percent</c>. Neither means 0:
    /// Istio injects the fault into no request then, and so do we.
    /// </summary>
    private static double ReadPercentage(YamlNodeReader r, YamlMappingNode node, string path)
    {
        if (r.OptionalMapping(node, path, "percentage") is { } percentage)
        {
            var percentagePath = YamlNodeReader.Join(path, "percentage");
            r.Supported(percentage, percentagePath, "value");
            return r.Number(percentage, percentagePath, "value", 0, 100) ?? 0;
        }

        return r.Integer(node, path, "percent", 0, 100) ?? 0;
    }

    private static HeaderOperations ReadHeaderOperations(YamlNodeReader r, YamlMappingNode node, string path)
    {
        if (r.OptionalMapping(node, path, "headers") is not { } headers)
        {
            return HeaderOperations.None;
        }

        var headersPath = YamlNodeReader.Join(path, "headers");
        r.Supported(headers, headersPath, "request", "response");
        return new HeaderOperations(
            ReadMutation(r, headers, headersPath, "request"),
            ReadMutation(r, headers, headersPath, "response"));
    }

    private static HeaderMutation ReadMutation(YamlNodeReader r, YamlMappingNode node, string path, string key)
    {
        if (r.OptionalMapping(node, path, key) is not { } mutation)
        {
            return HeaderMutation.None;
        }

        var mutationPath = YamlNodeReader.Join(path, key);
        r.Supported(mutation, mutationPath, "set", "add", "remove");
        List<KeyValuePair<string, string>> Pairs(string field)
        {
            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var (name, value) in r.StringMap(mutation, mutationPath, field))
            {
                CheckHeader(r, name, value, $"{mutationPath}.{field}.{name}", mutation);
                pairs.Add(new(name.ToLowerInvariant(), value));
            }

            return pairs;
        }

        var set = Pairs("set");
        var add = Pairs("add");
        var remove = new List<string>();
        foreach (var name in r.Strings(mutation, mutationPath, "remove"))
        {
            CheckHeader(r, name, "", $"{mutationPath}.remove", mutation);
            remove.Add(name.ToLowerInvariant());
        }

        return new HeaderMutation(set, add, remove);
    }

    private static void CheckHeader(YamlNodeReader r, string name, string value, string path, YamlNode node)
    {
        if (!HttpToken.IsToken(name))
        {
            r.Error(path, $"'{name}' is not a valid header name", node);
        }
        else if (name.Equals("host", StringComparison.OrdinalIgnoreCase) || HttpToken.IsFraming(name))
        {
            r.Error(path, $"may not change '{name}': it decides how the message is framed or routed", node);
        }

        if (!HttpToken.IsFieldValue(value))
        {
            r.Error(path, "has a value with control characters (CR, LF, NUL…), which would split the header", node);
        }
    }
}
