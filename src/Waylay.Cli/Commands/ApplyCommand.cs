using Waylay.Commands;
using System.CommandLine;
using Waylay.Inject;
using Waylay.Node.State;
using Waylay.Node.Up;

namespace Waylay.Cli.Commands;

/// <summary>
/// <c>waylay apply -f FILE|DIR</c> and <c>waylay delete -f FILE|DIR</c>: manifests read here (where the user is), sent
/// to the run's supervisor, which owns the pods (<see cref="ApplyRequest"/>), and its answer printed as kubectl does.
/// </summary>
internal static class ApplyCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public static Command Apply() => Create(ApplyRequest.Apply, "Create or change objects of a running mesh: Deployments (scaled, new template: pods replaced), Services, ConfigMaps, routing objects.");

    public static Command Delete() => Create(ApplyRequest.Delete, "Remove objects of a running mesh (their pods stop, their Services leave kube-proxy and DNS).");

    private static Command Create(string operation, string description)
    {
        var files = new Option<string[]>("--filename", "-f") { Description = "A manifest file or directory (repeatable)", HelpName = "path", Required = true };
        var run = new Option<string?>("--run") { Description = PodArgument.RunHelp, HelpName = "id" };
        var command = new Command(operation, description) { files, run };
        command.SetAction((parse, ct) => CliHost.GuardAsync(async () =>
        {
            string directory;
            try
            {
                directory = PodLookup.RunDirectory(parse.GetValue(run) is { } given ? RunIds.Parse(given) : null, RunIds.StateRoot);
            }
            catch (PodLookupException e)
            {
                throw new UsageException($"{operation}: {e.Message}");
            }

            if (MeshStatus.TryRead(directory) is null)
            {
                throw new UsageException($"{operation}: run {Path.GetFileName(directory)} was not made by waylay up (no {MeshStatus.File(directory)}): there is no supervisor to change it");
            }

            IReadOnlyList<Inject.Manifests.ManifestInput> inputs;
            var skipped = new List<string>();
            try
            {
                inputs = ManifestFiles.Read([.. parse.GetValue(files)!.Select(Path.GetFullPath)], skipped);
            }
            catch (ManifestException e)
            {
                throw new UsageException($"{operation}: {e.Message}");
            }

            foreach (var file in skipped)
            {
                Console.WriteLine($"skipped {file}: not a Kubernetes manifest (no apiVersion and kind)");
            }

            var result = await ApplyRequest.SendAsync(directory, new ApplyRequest(operation, inputs), Timeout, ct);
            foreach (var line in result.Lines)
            {
                Console.WriteLine(line);
            }

            return result switch
            {
                { Succeeded: true } => CliHost.Ok,
                { BadInput: true } => throw new UsageException($"{operation}: {result.Error}; nothing was changed"),
                _ => throw new FailureException($"{operation}: {result.Error}"),
            };
        }));
        return command;
    }
}
