using Waylay.Capture.Options;

namespace Waylay.Inject.Capture;

/// <summary>
/// Reads annotation and values entries with Waylay.Capture's own parsers, so what the injector accepts is exactly
/// what `waylay capture` will accept in the init container; only the wording of the errors is the injector's.
/// </summary>
internal static class CaptureValues
{
    public static PortSelection Ports(string text, bool allowWildcard, string field, List<string> errors)
    {
        var problems = new List<SelectionProblem>();
        var selection = PortSelection.Parse(text, allowWildcard, problems);
        errors.AddRange(problems.Select(p => $"{field}: {p}."));
        return selection;
    }

    /// <summary>CIDRs must carry a prefix, as Istio's annotation validation (net.ParseCIDR) requires.</summary>
    public static CidrSelection Cidrs(string text, bool allowWildcard, string field, List<string> errors)
    {
        var problems = new List<SelectionProblem>();
        var selection = CidrSelection.Parse(text, allowWildcard, bareAddressIsHost: false, problems);
        errors.AddRange(problems.Select(p => $"{field}: {p}."));
        return selection;
    }

    public static InterceptionMode? Mode(string text, string field, List<string> errors)
    {
        if (InterceptionModes.TryParse(text, out var mode))
        {
            return mode;
        }

        errors.Add($"{field}: '{text}' is not an interception mode; use REDIRECT or TPROXY.");
        return null;
    }
}
