namespace Waylay.Inject.Capture;

/// <summary>How inbound traffic reaches the proxy: NAT REDIRECT (the default) or TPROXY (keeps the client's address).</summary>
internal enum InterceptionMode
{
    Redirect,
    Tproxy,
}

internal static class InterceptionModes
{
    public static string ToFlag(this InterceptionMode mode) => mode == InterceptionMode.Tproxy ? "TPROXY" : "REDIRECT";

    public static InterceptionMode? Parse(string text, string field, List<string> errors)
    {
        switch (text.Trim().ToUpperInvariant())
        {
            case "REDIRECT":
                return InterceptionMode.Redirect;
            case "TPROXY":
                return InterceptionMode.Tproxy;
            default:
                errors.Add($"{field}: '{text}' is not an interception mode; use REDIRECT or TPROXY.");
                return null;
        }
    }
}
