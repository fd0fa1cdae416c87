using Xunit;

namespace Waylay.TestKit;

/// <summary>
/// A fact that needs root and network namespaces. It probes once (creating and removing a namespace) and, when the
/// machine cannot do it, skips with the reason; CI runs as root, so there it never skips.
/// </summary>
public sealed class NetnsFactAttribute : FactAttribute
{
    public NetnsFactAttribute()
    {
        if (NetnsSupport.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>The theory twin of <see cref="NetnsFactAttribute"/>.</summary>
public sealed class NetnsTheoryAttribute : TheoryAttribute
{
    public NetnsTheoryAttribute()
    {
        if (NetnsSupport.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
