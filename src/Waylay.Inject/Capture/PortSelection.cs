using System.Globalization;

namespace Waylay.Inject.Capture;

/// <summary>
/// A set of ports as the capture flags take it: every port (<c>*</c>), none (empty) or a list. Parsed once from
/// an annotation or values entry, rendered back to the flag's text.
/// </summary>
internal sealed record PortSelection(bool All, IReadOnlyList<ushort> Ports)
{
    public static readonly PortSelection Every = new(true, []);
    public static readonly PortSelection None = new(false, []);

    public bool IsEmpty => !All && Ports.Count == 0;

    /// <summary>Parses "*", "" or "80,443"; <paramref name="allowWildcard"/> says whether "*" makes sense for this field.</summary>
    public static PortSelection Parse(string text, bool allowWildcard, string field, List<string> errors)
    {
        var trimmed = text.Trim();
        if (trimmed == "*")
        {
            if (allowWildcard)
            {
                return Every;
            }

            errors.Add($"{field}: '*' is not allowed here; list the ports, e.g. \"8080,9090\".");
            return None;
        }

        var ports = new List<ushort>();
        foreach (var part in trimmed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (ushort.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port != 0)
            {
                if (!ports.Contains(port))
                {
                    ports.Add(port);
                }
            }
            else
            {
                errors.Add($"{field}: '{part}' is not a port (1-65535); write ports as a comma-separated list{(allowWildcard ? " or '*' for all" : "")}.");
            }
        }

        return new PortSelection(false, ports);
    }

    public PortSelection With(ushort port) => All || Ports.Contains(port) ? this : new PortSelection(false, [.. Ports, port]);

    public override string ToString() => All ? "*" : string.Join(',', Ports.Select(p => p.ToString(CultureInfo.InvariantCulture)));
}
