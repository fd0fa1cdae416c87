namespace Waylay.Capture.Plan;

/// <summary>
/// One rule: where it lives, what it matches, what it does, and why it exists. The reason is at once the script's
/// comment, the dry-run text and what `capture explain` prints for the step.
/// </summary>
public sealed record Rule(NetfilterTable Table, string Chain, Match Match, Target Target, string Reason);
