namespace Waylay.Proxy.Http.Headers;

/// <summary>Fixed-width lower-case hex for 64-bit ids, the only form B3 and W3C send.</summary>
internal static class Hex
{
    public static string Of(ulong value)
    {
        Span<byte> digits = stackalloc byte[16];
        Write(digits, value);
        return System.Text.Encoding.Latin1.GetString(digits);
    }

    /// <summary>
    /// Nibble by nibble from a table, as bytes: ids are written on every request (straight into the HTTP/1 head), and a
    /// format string is parsed per call.
    /// </summary>
    public static void Write(Span<byte> destination, ulong value) => Write(destination, value, 16);

    /// <summary>The low <paramref name="digits"/> nibbles, zero-padded: a UUID's groups are 8, 4 and 12 digits wide.</summary>
    public static void Write(Span<byte> destination, ulong value, int digits)
    {
        var target = destination[..digits];
        for (var i = digits - 1; i >= 0; i--)
        {
            target[i] = "0123456789abcdef"u8[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    /// <summary>Parses exactly 1–16 hex digits (either case, as Envoy's <c>atoull</c> base 16 accepts).</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out ulong value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 16)
        {
            return false;
        }

        foreach (var b in text)
        {
            var digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }

    /// <summary>W3C trace context allows lower-case hex only.</summary>
    public static bool TryParseLower(ReadOnlySpan<byte> text, out ulong value)
    {
        foreach (var b in text)
        {
            if (b is >= (byte)'A' and <= (byte)'F')
            {
                value = 0;
                return false;
            }
        }

        return TryParse(text, out value);
    }
}
