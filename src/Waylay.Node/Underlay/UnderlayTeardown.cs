using Waylay.Linux;
using Waylay.Node.Namespaces;
using Waylay.Node.State;

namespace Waylay.Node.Underlay;

/// <summary>
/// Removes the underlay as the state directory records it: per node the recorded host-gw routes and its end of the
/// cable (so nothing is left even in a node namespace that something still holds open), then the underlay's namespace
/// (the bridge and the switch ends go with it). Repeatable: what is already gone is skipped.
/// </summary>
internal static class UnderlayTeardown
{
    public static async Task RunAsync(RunState state, CancellationToken cancellationToken)
    {
        foreach (var member in state.UnderlayMembers())
        {
            if (!NetworkNamespaces.Exists(member.NodeNamespace))
            {
                continue;
            }

            foreach (var route in member.Routes)
            {
                var shown = await Exec.RunAsync("ip", ["-n", member.NodeNamespace, "route", "show", route], null, cancellationToken);
                if (shown.Succeeded && shown.StandardOutput.Trim().Length > 0)
                {
                    await IpAsync(member.NodeNamespace, ["route", "del", route], cancellationToken);
                }
            }

            if ((await Exec.RunAsync("ip", ["-n", member.NodeNamespace, "link", "show", member.NodeLink], null, cancellationToken)).Succeeded)
            {
                await IpAsync(member.NodeNamespace, ["link", "del", member.NodeLink], cancellationToken);
            }
        }

        if (state.Underlay() is { } underlay)
        {
            await NetworkNamespaces.DeleteAsync(underlay.Namespace, cancellationToken);
        }
    }

    private static async Task IpAsync(string @namespace, IReadOnlyList<string> command, CancellationToken cancellationToken) =>
        NetworkNamespaces.Require(
            await Exec.RunAsync("ip", ["-n", @namespace, .. command], null, cancellationToken),
            $"ip -n {@namespace} {string.Join(' ', command)}");
}
