using Waylay.Commands;
using System.CommandLine;
using Waylay.Node.State;

namespace Waylay.Cli.Commands;

/// <summary>POD and <c>--run</c> as every command that takes a pod declares them, resolved by <see cref="PodLookup"/>.</summary>
internal sealed class PodArgument
{
    public Argument<string> Pod { get; } = new("pod") { Description = "A pod's name, a unique prefix of one (productpage) or its app label" };

    public Option<string?> Run { get; } = new("--run") { Description = "The run the pod is in (default: the newest)", HelpName = "id" };

    public Option<string?> Container { get; } = new("--container", "-c") { Description = "The container (default: the pod's app container)", HelpName = "name" };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Pod);
        command.Options.Add(Run);
        command.Options.Add(Container);
    }

    public FoundPod Find(ParseResult parse, string verb)
    {
        try
        {
            return PodLookup.Find(RunIds.StateRoot, parse.GetValue(Run) is { } run ? RunIds.Parse(run) : null, parse.GetValue(Pod)!);
        }
        catch (PodLookupException e)
        {
            throw new UsageException($"{verb}: {e.Message}");
        }
    }
}
