using System.Diagnostics;
using System.Globalization;
using Waylay.Commands;
using Waylay.Node.Up;

namespace Waylay.Cli.Commands.Diagnostics;

/// <summary>
/// The mesh an experiment runs against: the live run (named with <c>--mesh</c>, or the only one), or, when none is
/// running, Bookinfo brought up for it exactly as <c>waylay up samples/bookinfo [--nodes N]</c> does (the same
/// command, run as a child so its progress, run id and URL are printed as usual). A run the experiment brought up is
/// taken down at the end unless <c>--keep</c>; a run it found is never touched.
/// </summary>
internal sealed class ExperimentMesh
{
    private ExperimentMesh(string directory, string? started)
    {
        Directory = directory;
        Started = started;
    }

    public string Directory { get; }

    /// <summary>The run id when the experiment brought the run up itself.</summary>
    public string? Started { get; }

    public static async Task<ExperimentMesh> OpenAsync(string? mesh, int nodes, CancellationToken cancellationToken)
    {
        if (mesh is not null || RunIds.Only("experiment traffic-paths") is not null)
        {
            try
            {
                return new ExperimentMesh(Waylay.Node.State.PodLookup.RunDirectory(mesh is null ? null : RunIds.Parse(mesh), RunIds.StateRoot), null);
            }
            catch (Waylay.Node.State.PodLookupException e)
            {
                throw new UsageException($"experiment traffic-paths: {e.Message}");
            }
        }

        var samples = Path.Combine(Environment.GetEnvironmentVariable("WAYLAY_ROOT") ?? Environment.CurrentDirectory, "samples", "bookinfo");
        if (!System.IO.Directory.Exists(samples))
        {
            throw new UsageException($"experiment traffic-paths: no mesh is running and no {samples} to bring up; start one with waylay up samples/bookinfo, or run ./waylay from the checkout");
        }

        var id = RunIds.Parse(null);
        // On several nodes, the seed's cluster masqueraded pod traffic between nodes (flannel's --ip-masq): so does this one.
        string[] arguments = ["up", samples, "--nodes", nodes.ToString(CultureInfo.InvariantCulture), "--run", id, .. nodes > 1 ? new[] { "--ip-masq" } : []];
        Console.Error.WriteLine($"waylay: no mesh is running: bringing up Bookinfo as run {id} (waylay {string.Join(' ', arguments).Replace(samples, "samples/bookinfo", StringComparison.Ordinal)})");
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var up = Process.Start(start) ?? throw new FailureException("experiment traffic-paths: waylay up did not start");
        // up's output goes to stderr here: stdout is the report (so `> report.md` stays the report alone).
        while (await up.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            Console.Error.WriteLine(line);
        }

        await up.WaitForExitAsync(cancellationToken);
        return up.ExitCode == 0
            ? new ExperimentMesh(Path.Combine(RunIds.StateRoot, id), id)
            : throw new FailureException($"experiment traffic-paths: waylay up samples/bookinfo failed (exit {up.ExitCode}); see above");
    }

    /// <summary>Takes down the run the experiment brought up, unless it is kept; says which.</summary>
    public async Task CloseAsync(bool keep)
    {
        if (Started is null)
        {
            return;
        }

        if (keep)
        {
            Console.Error.WriteLine($"waylay: run {Started} left running (--keep); waylay down {Started} removes it");
            return;
        }

        await RunDown.DownAsync(Directory, null, CancellationToken.None);
        Console.Error.WriteLine($"waylay: run {Started} taken down (the experiment brought it up; --keep leaves it running)");
    }
}
