namespace Waylay.Commands;

/// <summary>
/// A flag's parsed value with the text the user writes for it. System.CommandLine's help prints a default with
/// <c>ToString()</c>, so a <see cref="TimeSpan"/> default read <c>00:00:00.1000000</c> and an enum <c>PodIp</c>; this
/// prints <c>100ms</c> and <c>pod-ip</c>, the spelling the parser accepts.
/// </summary>
internal readonly record struct FlagValue<T>(T Value, string Text)
{
    public override string ToString() => Text;
}
