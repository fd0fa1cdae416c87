using Waylay.Commands;
using System.CommandLine;
using Waylay.Diagnostics.Names;
using Waylay.Diagnostics.Tcpdump;

namespace Waylay.Cli.Commands.Diagnostics;

/// <summary><c>waylay tcpdump POD [-i IF] [FILTER]</c>: tcpdump in the pod's namespace, names on the addresses.</summary>
internal static class TcpdumpCommand
{
    public static Command Create()
    {
        var target = new PodTarget();
        var iface = new Option<string>("--interface", "-i") { Description = "Interface in the pod: eth0, lo or any (default)", DefaultValueFactory = _ => "any" };
        var count = new Option<int?>("--count", "-c") { Description = "Stop after this many packets" };
        var filter = new Argument<string[]>("filter") { Description = "A pcap filter, e.g. tcp port 9080", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("tcpdump", "Watch the packets in a pod's network namespace (tcpdump -n inside it), with pod and Service names on the addresses.");
        target.AddTo(command);
        command.Options.Add(iface);
        command.Options.Add(count);
        command.Arguments.Add(filter);
        command.SetAction((parse, cancellationToken) => PodTarget.GuardAsync(async () =>
        {
            var pod = target.Find(parse, "tcpdump");
            var names = AddressBook.Of(pod.Run.Directory);
            try
            {
                await foreach (var line in TcpdumpSession.RunAsync(pod, parse.GetValue(iface)!, parse.GetValue(count), parse.GetValue(filter) ?? [], names, cancellationToken))
                {
                    Console.Out.WriteLine(line);
                    Console.Out.Flush();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: the capture ends, as tcpdump's own does.
            }

            return CliHost.Ok;
        }));
        return command;
    }
}
