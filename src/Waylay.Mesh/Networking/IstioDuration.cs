using System.Globalization;

namespace Waylay.Mesh.Networking;

/// <summary>
/// Durations as Istio resources write them: Go's form (<c>1h30m</c>, <c>1.5s</c>, <c>300ms</c>), which also covers
/// protobuf JSON's <c>1.500s</c>. Istio refuses anything finer than a millisecond, and so does this. Arithmetic is
/// in whole nanoseconds, so <c>0.1s</c> is exactly 100ms.
/// </summary>
public static class IstioDuration
{
    public static bool TryParse(string text, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        if (text.Length == 0)
        {
            error = "must be a duration like 1.5s, 300ms or 1m";
            return false;
        }

        long nanos = 0;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            long whole = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                if (whole > 1_000_000_000_000L)
                {
                    error = $"'{text}' is too long a duration";
                    return false;
                }

                whole = (whole * 10) + (text[i++] - '0');
            }

            long fraction = 0;
            long scale = 1;
            if (i < text.Length && text[i] == '.')
            {
                i++;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    if (scale < 1_000_000_000L)
                    {
                        fraction = (fraction * 10) + (text[i] - '0');
                        scale *= 10;
                    }
                    else if (text[i] != '0')
                    {
                        error = $"'{text}' is finer than a millisecond, which Istio does not accept";
                        return false;
                    }

                    i++;
                }
            }

            if (i == start || (i == start + 1 && text[start] == '.'))
            {
                error = $"'{text}' must be a duration like 1.5s, 300ms or 1m";
                return false;
            }

            var unitStart = i;
            while (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == 'µ'))
            {
                i++;
            }

            long? unit = text[unitStart..i] switch
            {
                "h" => 3_600_000_000_000L,
                "m" => 60_000_000_000L,
                "s" => 1_000_000_000L,
                "ms" => 1_000_000L,
                "us" or "µs" => 1_000L,
                "ns" => 1L,
                _ => null,
            };
            if (unit is null)
            {
                error = $"'{text}' needs a unit: h, m, s or ms (e.g. 1.5s, 300ms)";
                return false;
            }

            try
            {
                nanos = checked(nanos + (whole * unit.Value) + (fraction * unit.Value / scale));
            }
            catch (OverflowException)
            {
                error = $"'{text}' is too long a duration";
                return false;
            }

            if (fraction * unit.Value % scale != 0)
            {
                error = $"'{text}' is finer than a millisecond, which Istio does not accept";
                return false;
            }
        }

        if (nanos % 1_000_000 != 0)
        {
            error = $"'{text}' is finer than a millisecond, which Istio does not accept";
            return false;
        }

        value = TimeSpan.FromTicks(nanos / 100);
        return true;
    }

    /// <summary>The shortest Go-style text for a whole-millisecond duration ("1.5s", "300ms", "2m").</summary>
    public static string Format(TimeSpan value)
    {
        var ms = (long)value.TotalMilliseconds;
        if (ms % 60_000 == 0 && ms > 0)
        {
            return $"{ms / 60_000}m";
        }

        return ms % 1000 == 0 || ms >= 1000
            ? (ms / 1000.0).ToString("0.###", CultureInfo.InvariantCulture) + "s"
            : $"{ms}ms";
    }
}
