namespace Waylay.Capture.Options;

/// <summary>One thing wrong with the flags, naming the flag, the value and the fix.</summary>
public sealed record CaptureOptionError(string Flag, string Value, string Problem)
{
    public override string ToString() => $"{Flag} '{Value}': {Problem}";
}
