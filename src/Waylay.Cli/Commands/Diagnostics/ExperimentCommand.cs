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
        var paths = new Command("traffic-paths", "Run the seed's traffic sources against a pod (another pod's app and sidecar, by name and ClusterIP; its own app and sidecar to localhost), each predicted and confirmed for real.");
        paths.Options.Add(mesh);
        paths.Options.Add(target);
        paths.Options.Add(report);
        paths.SetAction((parse, cancellationToken) => PodTarget.GuardAsync(async () =>
        {
            var run = RunPods.RunDirectory(parse.GetValue(mesh), "experiment traffic-paths");
            var results = await TrafficPaths.RunAsync(run, parse.GetValue(target)!, TimeProvider.System, cancellationToken);
            var markdown = TrafficReport.Markdown(Path.GetFileName(run), RunPods.Find(run, parse.GetValue(target)!).Name, results, TimeProvider.System.GetUtcNow());
            Console.Out.Write(markdown);
            if (parse.GetValue(report) is { } directory)
            {
                Directory.CreateDirectory(directory);
                var file = Path.Combine(directory, "traffic-paths.md");
                await File.WriteAllTextAsync(file, markdown, cancellationToken);
                foreach (var result in results.Where(r => r.Verdict != Verdict.NotRun))
                {
                    await File.WriteAllTextAsync(Path.Combine(directory, TrafficSvg.FileName(result)), TrafficSvg.Draw(result), cancellationToken);
                }

                Console.Error.WriteLine($"waylay: report written to {file}");
            }

            return results.Any(r => r.Verdict is Verdict.Differs or Verdict.NotAsSeed) ? CliHost.Failure : CliHost.Ok;
        }));
        return new Command("experiment", "Experiments on a running mesh, with reports.") { paths };
    }
}
