using System.Globalization;

namespace Waylay.Capture.Options;

/// <summary>
/// A set of TCP ports as istio-iptables and Istio's annotations take them: "*" for all, "" for none, else a list.
/// The one parser for both `waylay capture` flags and the injector's annotations, so they cannot disagree.
/// </summary>
public sealed record PortSelection(bool All, IReadOnlyList<ushort> Ports)
{
    public static readonly PortSelection None = new(false, []);
    public static readonly PortSelection Any = new(true, []);

    public bool IsEmpty => !All && Ports.Count == 0;

    /// <summary>
    /// Parses "*", "" or "80,443". Empty items are ignored (the seed's "9080,"), duplicates are dropped; every bad
    /// item is reported, and the valid ones are kept.
    /// </summary>
    public static PortSelection Parse(string? text, bool allowWildcard, ICollection<SelectionProblem> problems)
    {
        var trimmed = text?.Trim() ?? "";
        if (trimmed == "*")
        {
            if (allowWildcard)
            {
                return Any;
            }

            problems.Add(new("*", "is not allowed here; list the ports, e.g. \"8080,9090\""));
            return None;
        }

        var ports = new List<ushort>();
        foreach (var item in trimmed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (ushort.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port != 0)
            {
                if (!ports.Contains(port))
                {
                    ports.Add(port);
                }
            }
            else
            {
                problems.Add(new(item, $"is not a port (1-65535); write ports as a comma-separated list{(allowWildcard ? " or '*' for all" : "")}"));
            }
        }

        return new PortSelection(false, ports);
    }

    public PortSelection With(ushort port) => All || Ports.Contains(port) ? this : new PortSelection(false, [.. Ports, port]);

    public override string ToString() => All ? "*" : string.Join(',', Ports.Select(p => p.ToString(CultureInfo.InvariantCulture)));

    public bool Equals(PortSelection? other) =>
        other is not null && All == other.All && Ports.SequenceEqual(other.Ports);

    public override int GetHashCode() => HashCode.Combine(All, Ports.Count);
}
