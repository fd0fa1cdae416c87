namespace Waylay.Capture.Options;

/// <summary>One item of a port or CIDR list that could not be read, and what to write instead.</summary>
public sealed record SelectionProblem(string Item, string Problem)
{
    public override string ToString() => $"'{Item}' {Problem}";
}
