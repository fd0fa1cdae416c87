using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;
using Waylay.Mesh;

namespace Waylay.Commands;

/// <summary>
/// The typed flags every command shares (ports, Go durations, numbers in a range, named choices, IP addresses): each
/// parses at the edge, refuses a bad value with <c>&lt;flag&gt;: '&lt;value&gt;' &lt;problem&gt;; &lt;fix&gt;</c>
/// (exit 2, CliHost's contract), names its value in help (<c>&lt;port&gt;</c>, <c>&lt;loopback|pod-ip&gt;</c>) and
/// prints its default once, as the user writes it (<c>[default: 100ms]</c>). Linked into the NativeAOT sidecar: no
/// reflection.
/// </summary>
internal static class CliOption
{
    public static Option<ushort> Port(string name, string? alias, ushort fallback, string description)
    {
        var option = Create<ushort>(name, alias, description, "port");
        option.DefaultValueFactory = _ => fallback;
        option.CustomParser = result => ushort.TryParse(Token(result), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0
            ? port
            : Error<ushort>(result, name, "is not a port; use a number from 1 to 65535");
        return option;
    }

    /// <summary>A Go duration (<c>250ms</c>, <c>45s</c>, <c>1m30s</c>), longer than zero.</summary>
    public static Option<FlagValue<TimeSpan>> Duration(string name, string? alias, TimeSpan fallback, string description)
    {
        var option = Create<FlagValue<TimeSpan>>(name, alias, description, "duration");
        option.DefaultValueFactory = _ => new FlagValue<TimeSpan>(fallback, GoDuration.Format(fallback));
        option.CustomParser = result =>
        {
            if (!GoDuration.TryParse(Token(result), out TimeSpan value, out var problem))
            {
                result.AddError($"{name}: {problem}");
                return default;
            }

            return value > TimeSpan.Zero
                ? new FlagValue<TimeSpan>(value, GoDuration.Format(value))
                : Error<FlagValue<TimeSpan>>(result, name, "is not longer than zero; write e.g. 250ms, 10s or 1m30s");
        };
        return option;
    }

    /// <summary>
    /// A whole number from <paramref name="min"/> to <paramref name="max"/>; a bad one is "not <paramref name="what"/>",
    /// and <paramref name="fix"/> says what to give.
    /// </summary>
    public static Option<T> Number<T>(string name, T fallback, T min, T max, string what, string fix, string description)
        where T : struct, IBinaryInteger<T>
    {
        var option = Create<T>(name, null, description, "number");
        option.DefaultValueFactory = _ => fallback;
        option.CustomParser = result => T.TryParse(Token(result), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : Error<T>(result, name, $"is not {what}; {fix}");
        return option;
    }

    /// <summary>A percentage from 0 to 100 (a decimal number).</summary>
    public static Option<double> Percentage(string name, double fallback, string description)
    {
        var option = Create<double>(name, null, description, "percent");
        option.DefaultValueFactory = _ => fallback;
        option.CustomParser = result => double.TryParse(Token(result), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 100
            ? value
            : Error<double>(result, name, "is not a percentage; give a number from 0 to 100, e.g. 1 or 0.5");
        return option;
    }

    /// <summary>
    /// One of <paramref name="choices"/>, matched without regard to case; help lists them in this order. Each may have
    /// synonyms (<c>warning</c> for <c>warn</c>) that are accepted but not listed.
    /// </summary>
    public static Option<FlagValue<T>> Choice<T>(string name, string fallback, string description, params (string Text, T Value, string[] Synonyms)[] choices)
    {
        var listed = string.Join('|', choices.Select(c => c.Text));
        var option = Create<FlagValue<T>>(name, null, description, listed);
        option.DefaultValueFactory = _ => Find(fallback) ?? throw new ArgumentException($"{fallback} is not one of {listed}", nameof(fallback));
        option.CustomParser = result => Find(Token(result)) ?? Error<FlagValue<T>>(result, name, $"is not accepted; use one of {listed}");
        return option;

        FlagValue<T>? Find(string text)
        {
            foreach (var choice in choices)
            {
                if (string.Equals(choice.Text, text, StringComparison.OrdinalIgnoreCase)
                    || choice.Synonyms.Any(s => string.Equals(s, text, StringComparison.OrdinalIgnoreCase)))
                {
                    return new FlagValue<T>(choice.Value, choice.Text);
                }
            }

            return null;
        }
    }

    /// <summary>A Kubernetes name (an RFC 1123 label, as namespaces and Services need): lowercase letters, digits and '-'.</summary>
    public static Option<string> KubernetesName(string name, string fallback, string description)
    {
        var option = Create<string>(name, null, description, "name");
        option.DefaultValueFactory = _ => fallback;
        option.CustomParser = result => Token(result) is { Length: >= 1 and <= 63 } text
            && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            && text[0] != '-' && text[^1] != '-'
            ? text
            : Error<string>(result, name, "is not a Kubernetes name; use 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit");
        return option;
    }

    /// <summary>An IPv4 address in dotted-quad form or an IPv6 address (not .NET's lenient "1.2.3" or "0x0a.1.1.1").</summary>
    public static Option<IPAddress?> Address(string name, string description)
    {
        var option = Create<IPAddress?>(name, null, description, "address");
        option.CustomParser = result => TryParseAddress(Token(result), out var address)
            ? address
            : Error<IPAddress?>(result, name, "is not an IP address; write it like 10.244.1.5 or fd00::5");
        return option;
    }

    /// <summary>The strict parse <see cref="Address"/> uses, for the same value from the environment.</summary>
    public static bool TryParseAddress(string? text, out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (text.Contains(':'))
        {
            return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        var parts = text.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || !byte.TryParse(p, CultureInfo.InvariantCulture, out _)))
        {
            return false;
        }

        address = IPAddress.Parse(text);
        return true;
    }

    private static Option<T> Create<T>(string name, string? alias, string description, string helpName) =>
        new(name, alias is null ? [] : [alias]) { Description = description, HelpName = helpName };

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    private static T Error<T>(ArgumentResult result, string name, string problem)
    {
        result.AddError($"{name}: '{Token(result)}' {problem}");
        return default!;
    }
}
