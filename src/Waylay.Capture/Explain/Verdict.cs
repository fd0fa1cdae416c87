namespace Waylay.Capture.Explain;

public enum VerdictKind
{
    /// <summary>Not captured: the connection goes where it was addressed.</summary>
    NotCaptured,

    /// <summary>nat REDIRECT to a local port.</summary>
    Redirected,

    /// <summary>mangle TPROXY to a transparent listener.</summary>
    Tproxied,

    Dropped,
}

/// <summary>One rule the packet matched, with its position as `iptables -L --line-numbers` shows it.</summary>
public sealed record Step(Plan.Rule Rule, int Number, string Text);

/// <summary>Where a packet ends up and the rules that sent it there.</summary>
public sealed record Verdict(VerdictKind Kind, ushort Port, IReadOnlyList<Step> Steps, string Summary);
