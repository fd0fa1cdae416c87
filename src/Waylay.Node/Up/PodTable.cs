using System.Text;

namespace Waylay.Node.Up;

/// <summary>The pods as <c>waylay up</c> and <c>waylay ps</c> print them, in aligned columns (kubectl get pods -o wide's).</summary>
internal static class PodTable
{
    public static string Render(IReadOnlyList<PodStatus> pods)
    {
        string[] header = ["NAMESPACE", "NAME", "READY", "STATUS", "IP", "NODE"];
        var rows = pods.Select(p => new[] { p.Namespace, p.Name, p.Ready ? "true" : "false", p.Phase, p.Ip ?? "<none>", p.Node }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.AppendLine(string.Join("   ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }

        return text.ToString();
    }
}
