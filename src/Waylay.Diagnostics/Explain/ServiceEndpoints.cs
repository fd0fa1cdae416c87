using System.Net;
using System.Text.RegularExpressions;
using Waylay.Node.State;

namespace Waylay.Diagnostics.Explain;

/// <summary>
/// Where a ClusterIP:port really goes, read from the kube-proxy rules of the caller's node (its namespace's nat
/// table, src/Waylay.Node/Services/KubeProxyRules.cs): KUBE-SERVICES <c>-d ip --dport p -j KUBE-SVC-…</c>, each
/// KUBE-SVC's <c>-j KUBE-SEP-…</c>, each KUBE-SEP's <c>DNAT --to-destination</c>. Not what the manifests say: what
/// the node will do now.
/// </summary>
internal static partial class ServiceEndpoints
{
    /// <summary>The endpoints behind <paramref name="destination"/>, or null when it is no service portal on that node.</summary>
    public static async Task<IReadOnlyList<IPEndPoint>?> ReadAsync(RunPod from, IPEndPoint destination, CancellationToken cancellationToken)
    {
        var rules = await NodeNat.ReadAsync(from, cancellationToken);
        var portal = rules.Where(r => r.Chain == "KUBE-SERVICES").Select(r => (Rule: r, Match: Portal().Match(r.Text)))
            .FirstOrDefault(p => p.Match.Success && IPAddress.Parse(p.Match.Groups["ip"].Value).Equals(destination.Address)
                && int.Parse(p.Match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture) == destination.Port);
        if (portal.Rule is null)
        {
            return null;
        }

        var service = portal.Match.Groups["chain"].Value;
        return [.. rules.Where(r => r.Chain == service).Select(r => Jump().Match(r.Text)).Where(m => m.Success)
            .SelectMany(m => rules.Where(r => r.Chain == m.Groups["chain"].Value))
            .Select(r => Dnat().Match(r.Text)).Where(m => m.Success)
            .Select(m => IPEndPoint.Parse(m.Groups["to"].Value))];
    }

    [GeneratedRegex(@"-d (?<ip>[\d.]+)/32 .*--dport (?<port>\d+) -j (?<chain>KUBE-SVC-\S+)")]
    private static partial Regex Portal();

    [GeneratedRegex(@"-j (?<chain>KUBE-SEP-\S+)")]
    private static partial Regex Jump();

    [GeneratedRegex(@"-j DNAT .*--to-destination (?<to>[\d.]+:\d+)")]
    private static partial Regex Dnat();
}
