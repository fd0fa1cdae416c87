using System.CommandLine;
using Waylay.Capture.Apply;
using Waylay.Capture.Plan;

namespace Waylay.Commands;

/// <summary>`waylay capture`: the init container's rule writer, with istio-iptables' flags.</summary>
internal static class CaptureCommand
{
    public static Command Create()
    {
        var flags = new CaptureFlags();
        var netns = CaptureFlags.Flag("--netns", null, "Apply in this network namespace (a name from 'ip netns' or a path like /proc/PID/ns/net) instead of the current one.", "--network-namespace");
        var dryRun = CaptureFlags.Switch("--dry-run", "Print the script that would be applied and change nothing.", "-n");
        var cleanup = CaptureFlags.Switch("--cleanup", "Remove Waylay's chains, jumps, tables and policy routes (every backend), nothing else.", "--cleanup-only");
        var verify = CaptureFlags.Switch("--verify", "After applying, read the rules back and fail if they differ from the plan.");

        var command = new Command("capture", "Write the pod's traffic-capture rules, as Istio's init container does (istio-iptables flags).");
        flags.AddTo(command);
        command.Options.Add(netns);
        command.Options.Add(dryRun);
        command.Options.Add(cleanup);
        command.Options.Add(verify);
        command.Subcommands.Add(ExplainCommand.Create());

        command.SetAction(async (parse, cancellationToken) => await CliHost.GuardAsync(async () =>
        {
            var options = flags.Options(parse);
            var plan = RulePlanner.Plan(options);
            if (parse.GetValue(dryRun))
            {
                var backend = options.Backend == Waylay.Capture.Options.BackendKind.Nft
                    ? (IRuleBackend)new NftBackend(NetworkNamespace.Current, RulesetSurvey.Unknown)
                    : new IptablesBackend(options.Backend switch
                    {
                        Waylay.Capture.Options.BackendKind.IptablesLegacy => "iptables-legacy",
                        Waylay.Capture.Options.BackendKind.IptablesNft => "iptables-nft",
                        _ => "iptables",
                    }, NetworkNamespace.Current, RulesetSurvey.Unknown);
                Console.Out.Write(backend.Render(plan));
                foreach (var route in plan.Routes)
                {
                    Console.Out.WriteLine($"# ip -{(route.Family == Waylay.Capture.Options.IpFamily.V4 ? 4 : 6)} rule add fwmark {route.Mark} lookup {route.Table}");
                }

                return CliHost.Ok;
            }

            var runner = new CaptureRunner(Namespace(parse.GetValue(netns)));
            if (parse.GetValue(cleanup))
            {
                var removed = await runner.CleanupAsync(options, cancellationToken);
                Console.Out.WriteLine(removed.Count == 0 ? "nothing to clean up: no Waylay rules found" : $"removed Waylay's rules from: {string.Join(", ", removed)}");
                return CliHost.Ok;
            }

            var outcome = await runner.ApplyAsync(plan, parse.GetValue(verify), cancellationToken);
            Console.Error.WriteLine($"backend: {outcome.Backend} ({outcome.BackendReason})");
            if (outcome.VerifyProblems.Count > 0)
            {
                Console.Error.WriteLine("verify failed: the rules read back differ from the plan:");
                foreach (var problem in outcome.VerifyProblems)
                {
                    Console.Error.WriteLine("  " + problem);
                }

                return CliHost.Failure;
            }

            var count = plan.Families.Sum(f => f.Rules.Count);
            Console.Out.WriteLine($"applied {count} rules ({string.Join(", ", plan.Families.Select(f => f.Family))}) with {outcome.Backend}{(parse.GetValue(verify) ? ", verified" : "")}");
            return CliHost.Ok;
        }));
        return command;
    }

    /// <summary>A --netns that names no namespace is a usage error (exit 2), like a missing file named on the command line.</summary>
    private static NetworkNamespace Namespace(string? nameOrPath)
    {
        try
        {
            return NetworkNamespace.Parse(nameOrPath);
        }
        catch (CaptureException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
