namespace Waylay.Proxy.Http.Http1;

/// <summary>One parsed response head from an upstream, reused per connection.</summary>
internal sealed class Http1ResponseHead : Http1Head
{
    public int StatusCode { get; internal set; }

    /// <summary>The reason phrase as received (may be empty).</summary>
    public ReadOnlySpan<byte> Reason
    {
        get
        {
            var line = Raw[..Raw.IndexOf("\r\n"u8)];
            return line.Length > 13 ? line[13..] : default;
        }
    }

    /// <summary>1xx other than 101: forward it and read the real response after it (RFC 9110 §15.2).</summary>
    public bool IsInterim => StatusCode is >= 100 and < 200 && StatusCode != 101;

    private protected override void ResetDerived() => StatusCode = 0;
}
