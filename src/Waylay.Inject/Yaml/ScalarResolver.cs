using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Waylay.Inject.Yaml;

/// <summary>
/// Decides what a plain (unquoted) YAML scalar means, the way Kubernetes reads manifests: kubectl and the
/// API server use sigs.k8s.io/yaml (go-yaml v2, YAML 1.1 resolution), so <c>yes</c>/<c>on</c> are booleans
/// and <c>0644</c> is octal (420): a secret volume's <c>defaultMode: 0644</c> must mean what kubectl means.
/// The writer asks the same resolver whether a string needs quotes, so a string never comes back as a number.
/// </summary>
internal static partial class ScalarResolver
{
    public static JsonNode? ResolvePlain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "y" or "Y" or "on" or "On" or "ON":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "n" or "N" or "off" or "Off" or "OFF":
                return JsonValue.Create(false);
        }

        if (DecimalInteger().IsMatch(text))
        {
            // JSON has no leading '+' and no leading zeros; keep the digits as written otherwise so
            // integers of any size survive the round trip.
            var digits = text.TrimStart('+');
            if (digits.Length > 1 && digits[0] == '0')
            {
                return JsonValue.Create(Convert.ToInt64(digits, 8));
            }

            if (digits.StartsWith("-0", StringComparison.Ordinal) && digits.Length > 2)
            {
                return JsonValue.Create(-Convert.ToInt64(digits[1..], 8));
            }

            return JsonNode.Parse(digits);
        }

        if (HexInteger().IsMatch(text))
        {
            return JsonValue.Create(Convert.ToInt64(text[2..], 16));
        }

        if (OctalInteger().IsMatch(text))
        {
            return JsonValue.Create(Convert.ToInt64(text[2..], 8));
        }

        if (Float().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && double.IsFinite(number))
        {
            return JsonNode.Parse(JsonNumberText().IsMatch(text) ? text : number.ToString("R", CultureInfo.InvariantCulture));
        }

        return JsonValue.Create(text);
    }

    /// <summary>True when <paramref name="text"/> written plain would be read back as something other than this string.</summary>
    public static bool NeedsQuotes(string text)
    {
        if (text.Length == 0 || char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]))
        {
            return true;
        }

        if (ResolvePlain(text) is not JsonValue value || value.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            return true;
        }

        // YAML 1.1 readers also take these as numbers or specials; quote them to be safe with every reader.
        return LooseNumber().IsMatch(text) || text.StartsWith('.') && text.Length <= 5 && text.Contains("na", StringComparison.OrdinalIgnoreCase)
            || text is ".inf" or ".Inf" or ".INF" or "-.inf" or "+.inf" or "=" or "<<";
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^0x[0-9a-fA-F]+$")]
    private static partial Regex HexInteger();

    [GeneratedRegex(@"^0o[0-7]+$")]
    private static partial Regex OctalInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex JsonNumberText();

    [GeneratedRegex(@"^[-+]?[0-9][0-9_:.,eE+-]*$")]
    private static partial Regex LooseNumber();
}
