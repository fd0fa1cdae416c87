namespace Waylay.Proxy.Http.Http1;

/// <summary>
/// Where one field line sits in the head buffer: offsets, not strings, so parsing allocates nothing per field. Kept as
/// 16-bit numbers (a head is at most <see cref="Http1Limits.MaxHeadBytes"/>, 60 KiB; a trailer line is parsed from a
/// copy of its own): ten bytes a field instead of twenty, so the table each head rents for its fields is 184 bytes
/// instead of 344, and in a burst of thousands of requests at once every request in flight holds two of them.
/// </summary>
internal readonly struct Http1HeaderField(int nameStart, int nameLength, int valueStart, int valueLength, KnownField kind)
{
    // checked: a head larger than 64 KiB would be a parser bug, and must fail loudly rather than point elsewhere.
    private readonly ushort _nameStart = checked((ushort)nameStart);
    private readonly ushort _nameLength = checked((ushort)nameLength);
    private readonly ushort _valueStart = checked((ushort)valueStart);
    private readonly ushort _valueLength = checked((ushort)valueLength);

    public int NameStart => _nameStart;

    public int NameLength => _nameLength;

    public int ValueStart => _valueStart;

    public int ValueLength => _valueLength;

    public KnownField Kind { get; } = kind;
}

/// <summary>How a head scan went.</summary>
internal enum Http1ParseStatus
{
    Complete,
    NeedMoreData,
    Error,
}
