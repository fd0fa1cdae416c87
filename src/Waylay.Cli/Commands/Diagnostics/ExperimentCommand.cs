using Waylay.Commands;
using System.CommandLine;
using Waylay.Diagnostics.Experiments;
using Waylay.Node.State;

namespace Waylay.Cli.Commands.Diagnostics;

/// <summary><c>waylay experiment traffic-paths</c>: the seed's sources against a pod of the running mesh, as a Markdown report.</summary>
internal static class ExperimentCommand
{
    public static Command Create()
    {
        var mesh = new Option<string?>("--mesh", "--run") { Description = "The run (waylay up --run ID); default: the only live one" };
        var target = new Option<string>("--target") { Description = "The pod the traffic goes to (default productpage)", DefaultValueFactory = _ => "productpage" };
        var report = new Option<string?>("--report") { Description = "A directory to write traffic-paths.md and each path's drawing (source-N.svg) to (the report is printed either way)" };
        var keep = new Option<bool>("--keep") { Description = "When no mesh was running and the experiment brought Bookinfo up, leave it running (default: take it down at the end)" };
        var nodes = new Option<int>("--nodes") { Description = "Nodes of the Bookinfo run it brings up; with 2, sources (2)-(5) come from a pod on the other node", DefaultValueFactory = _ => 1, HelpName = "N" };
        var paths = new Command("traffic-paths", "Run the seed's traffic sources against a pod (another pod's app and sidecar, by name and ClusterIP; its own app and sidecar to localhost), each predicted and confirmed for real.");
        paths.Options.Add(mesh);
        paths.Options.Add(target);
        paths.Options.Add(report);
        paths.Options.Add(keep);
        paths.Options.Add(nodes);
        paths.SetAction((parse, cancellationToken) => PodTarget.GuardAsync(async () =>
        {
            if (parse.GetValue(nodes) is < 1 or > 2)
            {
                throw new UsageException($"--nodes {parse.GetValue(nodes)}: the experiment runs on 1 or 2 nodes");
            }

            var experimentMesh = await ExperimentMesh.OpenAsync(parse.GetValue(mesh), parse.GetValue(nodes), cancellationToken);
            try
            {
                return await RunAsync(experimentMesh.Directory, parse.GetValue(target)!, parse.GetValue(nodes), parse.GetValue(report), cancellationToken);
            }
            finally
            {
                await experimentMesh.CloseAsync(parse.GetValue(keep));
            }
        }));
        return new Command("experiment", "Experiments on a running mesh, with reports.") { paths };
    }

    private static async Task<int> RunAsync(string run, string target, int nodes, string? reportDirectory, CancellationToken cancellationToken)
    {
        var count = new RunState(run).Nodes().Count();
        if (count < nodes)
        {
            throw new UsageException($"--nodes {nodes}: run {Path.GetFileName(run)} has {count} node(s); bring one up with waylay up samples/bookinfo --nodes {nodes}, or leave --nodes out");
        }

        var results = await TrafficPaths.RunAsync(run, target, TimeProvider.System, cancellationToken);
        var markdown = TrafficReport.Markdown(Path.GetFileName(run), PodLookup.Find(run, target).Name, results, TimeProvider.System.GetUtcNow());
        Console.Out.Write(markdown);
        if (reportDirectory is not null)
        {
            Directory.CreateDirectory(reportDirectory);
            var file = Path.Combine(reportDirectory, "traffic-paths.md");
            await File.WriteAllTextAsync(file, markdown, cancellationToken);
            foreach (var result in results.Where(r => r.Verdict != Verdict.NotRun))
            {
                await File.WriteAllTextAsync(Path.Combine(reportDirectory, TrafficSvg.FileName(result)), TrafficSvg.Draw(result), cancellationToken);
            }

            Console.Error.WriteLine($"waylay: report written to {file}");
        }

        return results.Any(r => r.Verdict is Verdict.Differs or Verdict.NotAsSeed) ? CliHost.Failure : CliHost.Ok;
    }
}
