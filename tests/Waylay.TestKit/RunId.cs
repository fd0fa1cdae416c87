namespace Waylay.TestKit;

/// <summary>
/// One id per test process: everything the kit makes is named <c>wl-&lt;id&gt;-…</c> so a leak is attributable and
/// cleanup never touches what another run (or the host) owns.
/// </summary>
public static class RunId
{
    private static int _counter;

    public static string Value { get; } = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.Next()))[..6];

    /// <summary>A fresh name under this run's prefix; short enough for an interface name (15 chars).</summary>
    public static string Next(string kind) => $"wl-{Value}-{kind}{Interlocked.Increment(ref _counter)}";
}
