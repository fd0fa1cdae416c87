using System.Globalization;
using Waylay.Capture.Options;
using Waylay.Capture.Plan;

namespace Waylay.Capture.Apply;

/// <summary>
/// The routing half of TPROXY (`ip rule` + a local default route) and the ::6 passthrough source for IPv6, applied
/// idempotently: existing entries are kept, not duplicated.
/// </summary>
public sealed class PolicyRouting(NetworkNamespace netns)
{
    private const string PassthroughV6 = "::6/128";

    /// <summary>
    /// Adds what the plan needs. Runs before the rules change: a route and an address with nothing marking packets
    /// for them are harmless, so a failure here leaves the namespace working as before.
    /// </summary>
    public async Task AddAsync(RulePlan plan, CancellationToken cancellationToken)
    {
        foreach (var route in plan.Routes)
        {
            if (!await HasRuleAsync(route.Family, route.Mark, route.Table, cancellationToken))
            {
                await IpAsync(route.Family, ["rule", "add", "fwmark", Num(route.Mark), "lookup", Num(route.Table)], cancellationToken);
            }

            await IpAsync(route.Family, ["route", "replace", "local", route.Family == IpFamily.V4 ? "0.0.0.0/0" : "::/0", "dev", "lo", "table", Num(route.Table)], cancellationToken);
        }

        if (plan.Options.Ipv6 && !await HasPassthroughV6Async(cancellationToken))
        {
            // The proxy reaches an app bound to the pod's IPv6 address from ::6 (the v6 twin of 127.0.0.6), which,
            // unlike 127/8, is not on lo by default.
            await IpAsync(IpFamily.V6, ["addr", "replace", PassthroughV6, "dev", "lo"], cancellationToken);
        }
    }

    /// <summary>
    /// After the new rules are in: a family without TPROXY now (an earlier run had it) stops diverting marked packets.
    /// Only then, so a failed rule change that put the old TPROXY rules back still has their route.
    /// </summary>
    /// <remarks>
    /// Asked only for a family where a mangle table existed before this run (the survey): TPROXY rules, and so an
    /// earlier run's route, live nowhere else, and an empty namespace then costs no `ip` processes. A route left
    /// without its rules (an apply killed between the two) goes with --cleanup.
    /// </remarks>
    public async Task RemoveStaleAsync(RulePlan plan, RulesetSurvey survey, CancellationToken cancellationToken)
    {
        foreach (var family in new[] { IpFamily.V4, IpFamily.V6 }.Where(f => plan.Routes.All(r => r.Family != f) && survey.MayHoldMangle(f)))
        {
            await RemoveRouteAsync(family, plan.Options, cancellationToken);
        }
    }

    public async Task<bool> CleanupAsync(CaptureOptions options, CancellationToken cancellationToken)
    {
        var removed = false;
        foreach (var family in new[] { IpFamily.V4, IpFamily.V6 })
        {
            removed |= await RemoveRouteAsync(family, options, cancellationToken);
        }

        if (await HasPassthroughV6Async(cancellationToken))
        {
            await IpAsync(IpFamily.V6, ["addr", "del", PassthroughV6, "dev", "lo"], cancellationToken);
            removed = true;
        }

        return removed;
    }

    /// <summary>Whether ::6 is on lo, from /proc/net/if_inet6 ("…0006 01 80 10 80 lo": address, index, prefix, scope, flags, name).</summary>
    private async Task<bool> HasPassthroughV6Async(CancellationToken cancellationToken)
    {
        var addresses = await netns.ReadProcNetAsync("if_inet6", cancellationToken) ?? "";
        return addresses.Split('\n').Any(l =>
        {
            var f = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return f.Length == 6 && f[0] == "00000000000000000000000000000006" && f[2] == "80" && f[5] == "lo";
        });
    }

    private async Task<bool> RemoveRouteAsync(IpFamily family, CaptureOptions options, CancellationToken cancellationToken)
    {
        var removed = false;
        while (await HasRuleAsync(family, options.TproxyMark, options.TproxyRouteTable, cancellationToken))
        {
            await IpAsync(family, ["rule", "del", "fwmark", Num(options.TproxyMark), "lookup", Num(options.TproxyRouteTable)], cancellationToken);
            removed = true;
        }

        var routes = await netns.RunAsync("ip", [Flag(family), "route", "show", "table", Num(options.TproxyRouteTable)], null, cancellationToken);
        if (routes.Succeeded && routes.StandardOutput.Trim().Length > 0)
        {
            await IpAsync(family, ["route", "flush", "table", Num(options.TproxyRouteTable)], cancellationToken);
            removed = true;
        }

        return removed;
    }

    private async Task<bool> HasRuleAsync(IpFamily family, uint mark, uint table, CancellationToken cancellationToken)
    {
        var rules = await netns.RunAsync("ip", [Flag(family), "rule", "show"], null, cancellationToken);
        var want = $"fwmark 0x{mark:x} lookup {table}";
        return rules.Succeeded && rules.StandardOutput.Split('\n').Any(l => l.TrimEnd().EndsWith(want, StringComparison.Ordinal));
    }

    private async Task IpAsync(IpFamily family, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var result = await netns.RunAsync("ip", [Flag(family), .. arguments], null, cancellationToken);
        if (!result.Succeeded)
        {
            throw new CaptureException($"ip {Flag(family)} {string.Join(' ', arguments)} failed: {result.Diagnostic}");
        }
    }

    private static string Flag(IpFamily family) => family == IpFamily.V4 ? "-4" : "-6";

    private static string Num(uint value) => value.ToString(CultureInfo.InvariantCulture);
}
