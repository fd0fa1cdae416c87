using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Waylay.Inject.Values;

/// <summary>Durations written the way Istio's (Go's) flags write them: "45s", "1m30s", "500ms".</summary>
internal static partial class GoDuration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var match = Pattern().Match(text.Trim());
        if (!match.Success || match.Groups["part"].Captures.Count == 0)
        {
            return false;
        }

        for (var i = 0; i < match.Groups["part"].Captures.Count; i++)
        {
            var number = double.Parse(match.Groups["n"].Captures[i].Value, CultureInfo.InvariantCulture);
            value += match.Groups["u"].Captures[i].Value switch
            {
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "s" => TimeSpan.FromSeconds(number),
                _ => TimeSpan.FromMilliseconds(number),
            };
        }

        return true;
    }

    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        // Whole seconds print as seconds ("60s", as the brief's proxy flags read), anything finer in ms.
        if (value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return ((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var text = new StringBuilder();
        text.Append(((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture)).Append('s');
        return text.ToString();
    }

    [GeneratedRegex(@"^(?<part>(?<n>[0-9]+(\.[0-9]+)?)(?<u>ms|h|m|s))+$")]
    private static partial Regex Pattern();
}
