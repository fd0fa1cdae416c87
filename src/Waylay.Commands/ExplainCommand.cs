using System.CommandLine;
using Waylay.Capture.Explain;
using Waylay.Capture.Plan;

namespace Waylay.Commands;

/// <summary>`waylay capture explain`: the path one packet takes through the rules the same flags would write.</summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var flags = new CaptureFlags();
        var packets = new Option<string[]>("--packet")
        {
            Description = "The packet, e.g. 'out tcp uid=0 dst=10.96.0.20:9080' or 'in tcp iif=eth0 dst=10.244.1.5:9080'. Repeatable.",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("explain", "Show, rule by rule, what the capture rules for these flags do to a packet (no rules are read or written).");
        flags.AddTo(command);
        command.Options.Add(packets);
        command.SetAction(parse => CliHost.GuardAsync(() =>
        {
            var plan = RulePlanner.Plan(flags.Options(parse));
            foreach (var text in parse.GetValue(packets) ?? [])
            {
                Packet packet;
                try
                {
                    packet = Packet.Parse(text);
                }
                catch (FormatException e)
                {
                    throw new UsageException($"--packet '{text}': {e.Message}");
                }

                var verdict = PacketClassifier.Classify(plan, packet);
                Console.Out.WriteLine($"packet:  {packet}");
                foreach (var step in verdict.Steps)
                {
                    Console.Out.WriteLine($"  {step.Rule.Table.Name(),-6} {step.Rule.Chain} rule {step.Number}: {step.Text}");
                    Console.Out.WriteLine($"         why: {step.Rule.Reason}");
                }

                Console.Out.WriteLine($"path:    {PacketClassifier.Path(verdict)}");
                Console.Out.WriteLine($"verdict: {verdict.Summary}");
                Console.Out.WriteLine();
            }

            return Task.FromResult(CliHost.Ok);
        }).GetAwaiter().GetResult());
        return command;
    }
}
