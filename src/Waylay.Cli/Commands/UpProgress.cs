using Spectre.Console;
using Waylay.Node.Up;

namespace Waylay.Cli.Commands;

/// <summary>
/// What <c>waylay up</c> shows while the run comes up. On a terminal: a live Spectre.Console table of the pods, each
/// row's phase changing in place (Pending → ContainerCreating → Running → Ready), left standing as the final table of
/// pods, IPs, nodes and readiness. Elsewhere (a pipe, CI, the tests): one plain line per change, then the aligned
/// table (<see cref="PodTable"/>), so what is read is the same text every time.
/// </summary>
internal static class UpProgress
{
    public static bool Live => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Waits for the run as <see cref="UpLauncher.WaitAsync"/> does, showing each pod's phase.</summary>
    public static async Task<MeshStatus> WaitAsync(string stateDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!Live)
        {
            return await UpLauncher.WaitAsync(stateDirectory, timeout, pod => { if (pod.Phase != "Pending") { Console.WriteLine(Line(pod)); } }, cancellationToken);
        }

        var pods = new Dictionary<string, PodStatus>(StringComparer.Ordinal);
        var table = Table([]);
        MeshStatus? status = null;
        await AnsiConsole.Live(table).AutoClear(false).StartAsync(async live =>
        {
            status = await UpLauncher.WaitAsync(stateDirectory, timeout, pod =>
            {
                pods[pod.Name] = pod;
                Fill(table, pods.Values);
                live.Refresh();
            }, cancellationToken);
            Fill(table, status.Pods);
            live.Refresh();
        });
        return status!;
    }

    /// <summary>The pods once ready: already on screen when live, else the plain table.</summary>
    public static void PrintTable(IReadOnlyList<PodStatus> pods, bool shownLive)
    {
        if (shownLive)
        {
            return;
        }

        Console.WriteLine();
        Console.Write(PodTable.Render(pods));
        Console.WriteLine();
    }

    public static string Line(PodStatus pod) =>
        $"pod {pod.Namespace}/{pod.Name} on {pod.Node}: {(pod.Ready ? "Ready" : pod.Phase)}{(pod.Ip is null ? "" : " " + pod.Ip)}";

    private static Table Table(IEnumerable<PodStatus> pods)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in (string[])["NAMESPACE", "NAME", "READY", "STATUS", "IP", "NODE"])
        {
            table.AddColumn(column);
        }

        Fill(table, pods);
        return table;
    }

    private static void Fill(Table table, IEnumerable<PodStatus> pods)
    {
        table.Rows.Clear();
        foreach (var pod in pods)
        {
            var phase = pod.Ready ? "Ready" : pod.Phase;
            var colour = phase switch { "Ready" => "green", "Failed" => "red", "Running" => "yellow", _ => "grey" };
            table.AddRow(
                Markup.Escape(pod.Namespace), Markup.Escape(pod.Name), pod.Ready ? "[green]true[/]" : "false",
                $"[{colour}]{Markup.Escape(phase)}[/]", Markup.Escape(pod.Ip ?? "<none>"), Markup.Escape(pod.Node));
        }
    }
}
