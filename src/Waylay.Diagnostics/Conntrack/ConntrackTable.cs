using System.Globalization;
using System.Net;
using Waylay.Capture.Apply;
using Waylay.Diagnostics.Pods;
using Waylay.Diagnostics.Rules;

namespace Waylay.Diagnostics.Conntrack;

/// <summary>
/// A pod's conntrack table as the kernel holds it: <c>/proc/net/nf_conntrack</c> read inside the pod's namespace
/// (conntrack is per namespace), or <c>conntrack -L -o extended</c> where the proc file is not compiled in. Both print
/// the same line: "ipv4 2 tcp 6 117 TIME_WAIT src=… dst=… sport=… dport=… src=… … [ASSURED] mark=0 zone=0 use=2"
/// ("ipv6 10 tcp 6 …" with IPv6 addresses for the other family; the proc file writes them in full, uncompressed).
/// </summary>
internal static class ConntrackTable
{
    public static Task<IReadOnlyList<ConntrackEntry>> ReadAsync(PodNetwork pod, CancellationToken cancellationToken) =>
        ReadAsync(pod.Namespace, pod.RunAsync, cancellationToken);

    /// <summary>Both families: the proc file and <c>conntrack -L -f ipv6</c>'s extended form start IPv6 lines with "ipv6 10".</summary>
    public static async Task<IReadOnlyList<ConntrackEntry>> ReadAsync(NetworkNamespace netns, KernelRuleset.Reader read, CancellationToken cancellationToken)
    {
        var text = await netns.ReadProcNetAsync("nf_conntrack", cancellationToken);
        if (text is null)
        {
            text = await read("conntrack", ["-L", "-o", "extended"], cancellationToken)
                + await read("conntrack", ["-L", "-f", "ipv6", "-o", "extended"], cancellationToken);
        }

        return Parse(text);
    }

    public static IReadOnlyList<ConntrackEntry> Parse(string text)
    {
        var entries = new List<ConntrackEntry>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (ParseLine(line) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    private static ConntrackEntry? ParseLine(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 6 || words[0] is not ("ipv4" or "ipv6"))
        {
            return null;
        }

        var protocol = words[2];
        var timeout = int.Parse(words[4], CultureInfo.InvariantCulture);
        var state = words[5].Contains('=') || words[5].StartsWith('[') ? null : words[5];
        var tuples = new List<Dictionary<string, string>>();
        var flags = new List<string>();
        uint mark = 0;
        foreach (var word in words.Skip(5))
        {
            if (word.StartsWith('['))
            {
                flags.Add(word.Trim('[', ']'));
                continue;
            }

            var eq = word.IndexOf('=');
            if (eq < 0)
            {
                continue;
            }

            var (key, value) = (word[..eq], word[(eq + 1)..]);
            if (key == "src")
            {
                tuples.Add(new Dictionary<string, string>(StringComparer.Ordinal));
            }

            if (key == "mark")
            {
                mark = uint.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (tuples.Count > 0 && key is "src" or "dst" or "sport" or "dport")
            {
                tuples[^1][key] = value;
            }
        }

        return tuples.Count == 2 && tuples.All(t => t.ContainsKey("sport"))
            ? new ConntrackEntry(protocol, state, timeout, Tuple(tuples[0]), Tuple(tuples[1]), flags, mark)
            : null; // icmp and the like carry no ports: nothing a proxy takes
    }

    private static ConntrackTuple Tuple(Dictionary<string, string> t) =>
        new(new IPEndPoint(IPAddress.Parse(t["src"]), int.Parse(t["sport"], CultureInfo.InvariantCulture)),
            new IPEndPoint(IPAddress.Parse(t["dst"]), int.Parse(t["dport"], CultureInfo.InvariantCulture)));
}
