using System.Globalization;

namespace Waylay.Node.Up;

/// <summary>
/// The TCP ports something listens on in a network namespace, read from <c>/proc/PID/net/tcp</c> and <c>tcp6</c> of a
/// process inside it (the pod's pause process): procfs shows the sockets of the reading target's namespace, so no
/// connection is made and nothing is captured or counted (a probe through the pod IP would be taken by the sidecar,
/// which accepts before the app listens).
/// </summary>
internal static class ListeningPorts
{
    private const string Listen = "0A"; // TCP_LISTEN in the "st" column

    /// <summary>The listening ports seen by process <paramref name="pid"/>; empty when it is gone.</summary>
    public static HashSet<int> Of(int pid)
    {
        var ports = new HashSet<int>();
        foreach (var file in new[] { "tcp", "tcp6" })
        {
            try
            {
                Parse(File.ReadLines($"/proc/{pid}/net/{file}"), ports);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended (the pod is restarting): nothing listens there as far as we can see.
            }
        }

        return ports;
    }

    /// <summary>Adds the local ports of the LISTEN rows of one <c>/proc/net/tcp</c>-format table (header line first).</summary>
    public static void Parse(IEnumerable<string> table, HashSet<int> ports)
    {
        foreach (var line in table.Skip(1))
        {
            // "  0: 00000000:2378 00000000:0000 0A …": sl, local address:port (hex), remote, state.
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || fields[3] != Listen)
            {
                continue;
            }

            var colon = fields[1].LastIndexOf(':');
            if (colon > 0 && int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port))
            {
                ports.Add(port);
            }
        }
    }
}
