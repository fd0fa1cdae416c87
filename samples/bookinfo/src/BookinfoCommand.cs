using System.CommandLine;
using System.Globalization;
using Waylay.Samples.Bookinfo.Peers;

namespace Waylay.Samples.Bookinfo;

/// <summary>
/// <c>bookinfo productpage|details|reviews|ratings [--version vN] [--port 9080] [--timeout 3s]</c>: parses the
/// command line and the environment Istio's Bookinfo images read (<c>SERVICE_VERSION</c>, <c>*_HOSTNAME</c>,
/// <c>SERVICES_DOMAIN</c>, <c>HOSTNAME</c>, <c>CLUSTER_NAME</c>, <c>ENABLE_RATINGS</c>, <c>STAR_COLOR</c>) into
/// <see cref="BookinfoOptions"/>, every error at once with exit code 2, then runs the role until stopped.
/// </summary>
internal static class BookinfoCommand
{
    private const string DefaultSessionKey = "waylay-bookinfo-demo-session-key";

    public static RootCommand Create(Func<string, string?> environment)
    {
        var role = new Argument<string>("role") { Description = "The service to play: productpage, details, reviews or ratings" };
        var version = new Option<string?>("--version") { Description = "The version to play (reviews: v1 no stars, v2 black stars, v3 red stars; the others: v1). Default: env SERVICE_VERSION, else v1" };
        var port = new Option<int>("--port") { Description = "Port to listen on, on every address ([::], dual-stack); 0 picks a free one", DefaultValueFactory = _ => PeerAddresses.DefaultPort };
        var timeout = new Option<string?>("--timeout") { Description = "Timeout of the calls to the peers, e.g. 3s or 250ms. Default: env BOOKINFO_TIMEOUT, else Istio's (productpage 3s, reviews v2 10s, v3 2.5s)" };

        var command = new RootCommand("Waylay's Bookinfo: one app that plays each service of Istio's Bookinfo sample.");

        // --version is the service's version here (as SERVICE_VERSION), not the program's: drop the built-in one.
        foreach (var builtIn in command.Options.OfType<VersionOption>().ToList())
        {
            command.Options.Remove(builtIn);
        }

        command.Arguments.Add(role);
        command.Options.Add(version);
        command.Options.Add(port);
        command.Options.Add(timeout);
        command.SetAction(async (parse, ct) =>
        {
            var errors = new List<string>();
            var options = Parse(parse.GetValue(role)!, parse.GetValue(version), parse.GetValue(port), parse.GetValue(timeout), environment, errors);
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await Console.Error.WriteLineAsync($"bookinfo: {error}");
                }

                return 2;
            }

            await BookinfoApp.RunAsync(options!, ct);
            return 0;
        });
        return command;
    }

    internal static BookinfoOptions? Parse(string roleText, string? versionText, int port, string? timeoutText, Func<string, string?> environment, List<string> errors)
    {
        var isRole = Enum.TryParse<Role>(roleText, ignoreCase: true, out var role) && Enum.IsDefined(role) && roleText.Length > 0 && !char.IsAsciiDigit(roleText[0]);
        if (!isRole)
        {
            errors.Add($"'{roleText}' is not a Bookinfo service: give productpage, details, reviews or ratings");
        }

        // ratings v2 (MongoDB/MySQL) and details v2 (an external book service) need what this sample does not have.
        var version = versionText ?? (environment("SERVICE_VERSION") is { Length: > 0 } v ? v : "v1");
        var known = role == Role.Reviews ? new[] { "v1", "v2", "v3" } : ["v1"];
        if (isRole && Array.IndexOf(known, version) < 0)
        {
            errors.Add($"{roleText} has no version '{version}': give {string.Join(", ", known)} (--version or env SERVICE_VERSION)");
        }

        if (port is < 0 or > ushort.MaxValue)
        {
            errors.Add($"--port {port} is not a port: give 0 to 65535");
        }

        var stars = Stars(role, version, environment);
        var timeout = TimeSpan.FromSeconds(role == Role.Reviews ? (stars.Color == "black" ? 10 : 2.5) : 3);
        if ((timeoutText ?? environment("BOOKINFO_TIMEOUT")) is { Length: > 0 } text && !TryParseDuration(text, out timeout))
        {
            errors.Add($"timeout '{text}' is not a duration: give a positive number with a unit, e.g. 3s or 250ms (--timeout or env BOOKINFO_TIMEOUT)");
        }

        var peers = PeerAddresses.FromEnvironment(environment, errors);
        var podName = environment("HOSTNAME") is { Length: > 0 } h ? h : Environment.MachineName;
        return errors.Count > 0 ? null : new BookinfoOptions(
            role, version, (ushort)port, timeout, podName, environment("CLUSTER_NAME") ?? "null", peers, stars,
            environment("BOOKINFO_SESSION_KEY") is { Length: > 0 } key ? key : DefaultSessionKey);
    }

    /// <summary>Istio bakes these into its reviews images: v1 without ratings, v2 black stars, v3 red; the variables override, as there.</summary>
    private static ReviewsStars Stars(Role role, string version, Func<string, string?> environment)
    {
        if (role != Role.Reviews)
        {
            return new ReviewsStars(false, "black");
        }

        var enabled = environment("ENABLE_RATINGS") is { Length: > 0 } e ? string.Equals(e, "true", StringComparison.OrdinalIgnoreCase) : version != "v1";
        var color = environment("STAR_COLOR") is { Length: > 0 } c ? c : version == "v3" ? "red" : "black";
        return new ReviewsStars(enabled, color);
    }

    private static bool TryParseDuration(string text, out TimeSpan duration)
    {
        var (number, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : (text, double.NaN);
        duration = double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value > 0 && !double.IsNaN(scale)
            ? TimeSpan.FromSeconds(value * scale)
            : TimeSpan.Zero;
        return duration > TimeSpan.Zero;
    }
}
