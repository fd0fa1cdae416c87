namespace Waylay.Proxy.Http.Http1;

/// <summary>Where one field line sits in the head buffer: offsets, not strings, so parsing allocates nothing per field.</summary>
internal readonly record struct Http1HeaderField(int NameStart, int NameLength, int ValueStart, int ValueLength, KnownField Kind);

/// <summary>How a head scan went.</summary>
internal enum Http1ParseStatus
{
    Complete,
    NeedMoreData,
    Error,
}
