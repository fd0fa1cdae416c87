using System.Globalization;
using System.Text;

namespace Waylay.Proxy;

/// <summary>
/// Parses durations the way the seed writes them: Go's <c>time.ParseDuration</c> ("45s", "1m0s", "1h30m", "250ms").
/// A bare number is rejected: "10" could be seconds or milliseconds, so the user says which (Go accepts only "0" bare).
/// <see cref="Format"/> writes them back as Go's <c>Duration.String()</c> does, so help and messages read "45s", not "00:00:45".
/// </summary>
internal static class GoDuration
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

        if (s == "0")
        {
            return true;
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
            if (ticks >= TimeSpan.MaxValue.Ticks)
            {
                error = $"'{text}' is too long: the longest duration is {Format(TimeSpan.MaxValue)}";
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    /// <summary>Go's <c>time.Duration.String()</c>: "0s", "100ms", "1.5s", "45s", "1m30s", "1h0m0s".</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            text.Append('-');
            value = value == TimeSpan.MinValue ? TimeSpan.MaxValue : value.Negate();
        }

        var ticks = value.Ticks;
        if (ticks < TimeSpan.TicksPerMicrosecond)
        {
            return text.Append((ticks * 100).ToString(CultureInfo.InvariantCulture)).Append("ns").ToString();
        }

        if (ticks < TimeSpan.TicksPerMillisecond)
        {
            return AppendUnits(text, ticks, TimeSpan.TicksPerMicrosecond).Append("µs").ToString();
        }

        if (ticks < TimeSpan.TicksPerSecond)
        {
            return AppendUnits(text, ticks, TimeSpan.TicksPerMillisecond).Append("ms").ToString();
        }

        var hours = ticks / TimeSpan.TicksPerHour;
        var minutes = ticks % TimeSpan.TicksPerHour / TimeSpan.TicksPerMinute;
        if (hours > 0)
        {
            text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            text.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        return AppendUnits(text, ticks % TimeSpan.TicksPerMinute, TimeSpan.TicksPerSecond).Append('s').ToString();
    }

    /// <summary>ticks as a decimal number of units, without trailing zeros ("1.5", "250").</summary>
    private static StringBuilder AppendUnits(StringBuilder text, long ticks, long ticksPerUnit)
    {
        text.Append((ticks / ticksPerUnit).ToString(CultureInfo.InvariantCulture));
        var fraction = ticks % ticksPerUnit;
        if (fraction != 0)
        {
            var digits = (int)Math.Log10(ticksPerUnit);
            text.Append('.').Append(fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0'));
        }

        return text;
    }
}
