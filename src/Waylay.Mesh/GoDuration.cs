using System.Globalization;
using System.Text;

namespace Waylay.Mesh;

/// <summary>
/// Durations as Go writes them, the one form every Waylay input takes: Istio's flags (<c>--drainDuration 45s</c>),
/// its injection template (<c>formatDuration</c> is Go's <c>Duration.String()</c>: <c>1m0s</c>), its mesh config and
/// its networking resources (<c>timeout: 1.5s</c>). <see cref="TryParse(string, out long, out string?)"/> is Go's
/// <c>time.ParseDuration</c> exactly: <c>[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+</c> with the units ns, us (µs, μs), ms, s,
/// m and h, or a bare <c>0</c>; no spaces; nanosecond arithmetic, at most 2562047h47m16.854775807s either way.
/// <see cref="Format(TimeSpan)"/> is <c>Duration.String()</c>. Rules on top (longer than zero, whole milliseconds
/// for Istio's resources) belong to the caller.
/// </summary>
public static class GoDuration
{
    private const string Examples = "write e.g. 10s, 1m30s or 250ms";

    /// <summary>Parses to a <see cref="TimeSpan"/> (100 ns ticks: a finer remainder is dropped, as Go's <c>Round</c> would not).</summary>
    public static bool TryParse(string text, out TimeSpan value, out string? error)
    {
        var ok = TryParse(text, out long nanoseconds, out error);
        value = TimeSpan.FromTicks(nanoseconds / 100);
        return ok;
    }

    /// <summary>
    /// Parses to nanoseconds, as Go's <c>time.ParseDuration</c>. The error reads on from a flag or field name:
    /// <c>'10' has no unit; write e.g. 10s, …</c>.
    /// </summary>
    public static bool TryParse(string text, out long nanoseconds, out string? error)
    {
        nanoseconds = 0;
        error = null;
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            error = text.Length == 0 ? $"'' is empty; {Examples}" : $"'{text}' is not a duration; {Examples}";
            return false;
        }

        ulong total = 0;
        while (s.Length > 0)
        {
            // :: one element: [0-9]*(\.[0-9]*)? then a unit
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                error = $"'{text}' is not a duration; {Examples}";
                return false;
            }

            var elementStart = text.Length - s.Length;
            var before = s.Length;
            if (!LeadingInt(ref s, out var whole))
            {
                return TooLong(text, out error);
            }

            var hasWhole = before != s.Length;
            ulong fraction = 0;
            var scale = 1.0;
            var hasFraction = false;
            if (s.Length > 0 && s[0] == '.')
            {
                s = s[1..];
                before = s.Length;
                LeadingFraction(ref s, out fraction, out scale);
                hasFraction = before != s.Length;
            }

            if (!hasWhole && !hasFraction)
            {
                error = $"'{text}' is not a duration (no digits around '.'); {Examples}";
                return false;
            }

            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                error = s.Length == 0 && elementStart == 0
                    ? $"'{text}' has no unit; {Examples} (a bare number is only allowed as 0)"
                    : $"'{text}' has no unit after '{text[elementStart..(text.Length - s.Length)]}'; {Examples}";
                return false;
            }

            var unit = Unit(s[..unitLength]);
            if (unit == 0)
            {
                error = $"'{text}' has an unknown unit '{s[..unitLength]}'; use h, m, s, ms, us or ns";
                return false;
            }

            s = s[unitLength..];
            if (whole > (1UL << 63) / unit)
            {
                return TooLong(text, out error);
            }

            whole *= unit;
            if (fraction > 0)
            {
                // Go's own arithmetic: a double is exact enough for a fraction of an hour in nanoseconds.
                whole += (ulong)(fraction * (unit / scale));
                if (whole > 1UL << 63)
                {
                    return TooLong(text, out error);
                }
            }

            total += whole;
            if (total > 1UL << 63)
            {
                return TooLong(text, out error);
            }
        }

        if (negative)
        {
            nanoseconds = total == 1UL << 63 ? long.MinValue : -(long)total;
            return true;
        }

        if (total > long.MaxValue)
        {
            return TooLong(text, out error);
        }

        nanoseconds = (long)total;
        return true;
    }

    /// <summary>Go's <c>time.Duration.String()</c>: "0s", "100ns", "250µs", "1.5ms", "45s", "1m0s", "1h30m0s", "-2s".</summary>
    public static string Format(TimeSpan value) => Format((Int128)value.Ticks * 100);

    /// <summary>Go's <c>time.Duration.String()</c> of a duration in nanoseconds.</summary>
    public static string Format(long nanoseconds) => Format((Int128)nanoseconds);

    private static string Format(Int128 nanoseconds)
    {
        if (nanoseconds == 0)
        {
            return "0s";
        }

        var text = new StringBuilder();
        if (nanoseconds < 0)
        {
            text.Append('-');
        }

        var u = (UInt128)Int128.Abs(nanoseconds);
        if (u < 1_000_000_000)
        {
            // Under a second, the largest unit that fits, with the fraction Go prints (no trailing zeros).
            var (perUnit, unit) = u < 1_000 ? (1UL, "ns") : u < 1_000_000 ? (1_000UL, "µs") : (1_000_000UL, "ms");
            return AppendDecimal(text, u, perUnit).Append(unit).ToString();
        }

        var totalSeconds = u / 1_000_000_000;
        var hours = totalSeconds / 3600;
        var minutes = totalSeconds / 60 % 60;
        if (hours > 0)
        {
            text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            text.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        return AppendDecimal(text, u % 60_000_000_000, 1_000_000_000).Append('s').ToString();
    }

    /// <summary><paramref name="value"/>/<paramref name="perUnit"/> as a decimal without trailing zeros ("1.5", "250").</summary>
    private static StringBuilder AppendDecimal(StringBuilder text, UInt128 value, ulong perUnit)
    {
        text.Append((value / perUnit).ToString(CultureInfo.InvariantCulture));
        var fraction = value % perUnit;
        if (fraction != 0)
        {
            var digits = perUnit.ToString(CultureInfo.InvariantCulture).Length - 1;
            text.Append('.').Append(fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0'));
        }

        return text;
    }

    private static ulong Unit(ReadOnlySpan<char> unit) => unit switch
    {
        "ns" => 1,
        "us" or "µs" or "μs" => 1_000, // U+00B5 micro sign and U+03BC Greek mu, as Go takes both
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => 0,
    };

    /// <summary>Consumes [0-9]*; false when the number does not fit a duration.</summary>
    private static bool LeadingInt(ref ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (value > (1UL << 63) / 10)
            {
                return false;
            }

            value = (value * 10) + (ulong)(s[i] - '0');
            if (value > 1UL << 63)
            {
                return false;
            }
        }

        s = s[i..];
        return true;
    }

    /// <summary>Consumes [0-9]* after a '.'; digits past what fits only stop adding precision, as in Go.</summary>
    private static void LeadingFraction(ref ReadOnlySpan<char> s, out ulong value, out double scale)
    {
        value = 0;
        scale = 1;
        var overflow = false;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflow)
            {
                continue;
            }

            if (value > long.MaxValue / 10)
            {
                overflow = true;
                continue;
            }

            var next = (value * 10) + (ulong)(s[i] - '0');
            if (next > 1UL << 63)
            {
                overflow = true;
                continue;
            }

            value = next;
            scale *= 10;
        }

        s = s[i..];
    }

    private static bool TooLong(string text, out string? error)
    {
        error = $"'{text}' is too long; the longest duration is {Format(long.MaxValue)}";
        return false;
    }
}
