using System.Buffers;

namespace Waylay.Proxy.Http.Http1;

/// <summary>RFC 9110 character classes as 256-entry tables: one load per byte on the hot path.</summary>
internal static class HttpChars
{
    private static readonly bool[] Token = Build(static b => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z'
        || "!#$%&'*+-.^_`|~".Contains((char)b));

    /// <summary>field-vchar / SP / HTAB: VCHAR (0x21–0x7E) and obs-text (0x80–0xFF); never CR, LF, NUL or another CTL (RFC 9110 §5.5).</summary>
    private static readonly bool[] FieldValue = Build(static b => b is (byte)' ' or (byte)'\t' or >= 0x21 and <= 0x7E or >= 0x80);

    /// <summary>A request-target byte: visible ASCII or obs-text; no whitespace, no CTL, no DEL.</summary>
    private static readonly bool[] Target = Build(static b => b is >= 0x21 and <= 0x7E or >= 0x80);

    // The same classes for whole runs of bytes: a vectorized scan per name, value or target instead of a load per byte.
    private static readonly SearchValues<byte> TokenBytes = Members(Token);
    private static readonly SearchValues<byte> FieldValueBytes = Members(FieldValue);
    private static readonly SearchValues<byte> TargetBytes = Members(Target);

    public static bool IsToken(byte b) => Token[b];

    /// <summary>The index of the first byte that is not a token byte, -1 when all are.</summary>
    public static int IndexOfNonToken(ReadOnlySpan<byte> text) => text.IndexOfAnyExcept(TokenBytes);

    /// <summary>The index of the first byte a field value may not hold, -1 when there is none.</summary>
    public static int IndexOfNonFieldValue(ReadOnlySpan<byte> text) => text.IndexOfAnyExcept(FieldValueBytes);

    /// <summary>The index of the first byte a request-target may not hold, -1 when there is none.</summary>
    public static int IndexOfNonTarget(ReadOnlySpan<byte> text) => text.IndexOfAnyExcept(TargetBytes);

    public static bool IsFieldValue(byte b) => FieldValue[b];

    public static bool IsToken(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        return IndexOfNonToken(text) < 0;
    }

    public static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> text)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && text[start] is (byte)' ' or (byte)'\t')
        {
            start++;
        }

        while (end > start && text[end - 1] is (byte)' ' or (byte)'\t')
        {
            end--;
        }

        return text[start..end];
    }

    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lowerAscii)
    {
        if (text.Length != lowerAscii.Length)
        {
            return false;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var b = text[i];
            if (b is >= (byte)'A' and <= (byte)'Z')
            {
                b |= 0x20;
            }

            if (b != lowerAscii[i])
            {
                return false;
            }
        }

        return true;
    }

    private static SearchValues<byte> Members(bool[] table)
    {
        var members = new List<byte>();
        for (var i = 0; i < table.Length; i++)
        {
            if (table[i])
            {
                members.Add((byte)i);
            }
        }

        return SearchValues.Create(members.ToArray());
    }

    private static bool[] Build(Func<byte, bool> predicate)
    {
        var table = new bool[256];
        for (var i = 0; i < 256; i++)
        {
            table[i] = predicate((byte)i);
        }

        return table;
    }
}
