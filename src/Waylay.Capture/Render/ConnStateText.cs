using Waylay.Capture.Plan;

namespace Waylay.Capture.Render;

/// <summary>Conntrack states as text, in the order a given tool prints them (each has its own).</summary>
internal static class ConnStateText
{
    public static string Join(ConnState state, IReadOnlyList<ConnState> order, bool upper)
    {
        var names = order.Where(s => state.HasFlag(s)).Select(s => upper ? s.ToString().ToUpperInvariant() : s.ToString().ToLowerInvariant());
        return string.Join(',', names);
    }
}
