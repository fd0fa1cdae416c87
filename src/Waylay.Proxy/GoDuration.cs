using System.Globalization;

namespace Waylay.Proxy;

/// <summary>
/// Parses durations the way the seed writes them: Go's <c>time.ParseDuration</c> ("45s", "1m0s", "1h30m", "250ms").
/// A bare number is rejected: "10" could be seconds or milliseconds, so the user says which.
/// </summary>
public static class GoDuration
{
    public static bool TryParse(string text, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        var s = text.Trim();
        if (s.Length == 0)
        {
            error = "empty duration: write e.g. 10s, 1m0s or 250ms";
            return false;
        }

        var ticks = 0.0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"'{text}' is not a duration: write e.g. 10s, 1m0s or 250ms";
                return false;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]) || i < s.Length && s[i] == 'µ')
            {
                i++;
            }

            double? unit = s[unitStart..i] switch
            {
                "h" => TimeSpan.TicksPerHour,
                "m" => TimeSpan.TicksPerMinute,
                "s" => TimeSpan.TicksPerSecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "us" or "µs" => TimeSpan.TicksPerMicrosecond,
                "ns" => 0.01,
                _ => null,
            };
            if (unit is null)
            {
                error = $"'{text}' has no valid unit: use h, m, s, ms, us or ns (e.g. 10s)";
                return false;
            }

            ticks += number * unit.Value;
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }
}
