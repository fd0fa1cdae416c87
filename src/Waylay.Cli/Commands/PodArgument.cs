using Waylay.Commands;
using System.CommandLine;
using Waylay.Node.State;

namespace Waylay.Cli.Commands;

/// <summary>
/// POD, <c>--run</c> and <c>-n</c> as every command that takes a pod declares them, resolved by <see cref="PodLookup"/>;
/// what cannot be found is a usage error prefixed with the command's name.
/// </summary>
internal sealed class PodArgument
{
    public const string RunHelp = "The run (waylay up --run ID); default: the only live one";

    /// <param name="runAliases">The run option's names: <c>--run</c>, except for explain, whose --run makes the connection.</param>
    public PodArgument(params string[] runAliases)
    {
        string[] names = runAliases.Length == 0 ? ["--run"] : runAliases;
        Run = new Option<string?>(names[0], names[1..]) { Description = RunHelp, HelpName = "id" };
    }

    public Argument<string> Pod { get; } = new("pod")
    {
        Description = "The pod: its name, its Deployment's (reviews-v2, deploy/reviews-v2), its app label (productpage) or a unique prefix of its name; NAMESPACE/NAME or -n to pick a namespace",
    };

    public Option<string?> Run { get; }

    public Option<string?> Namespace { get; } = new("--namespace", "-n") { Description = "The pod's namespace (default: any)", HelpName = "namespace" };

    /// <summary><c>-c</c>, for the commands that act on one container of the pod (exec, logs).</summary>
    public static Option<string?> Container() => new("--container", "-c") { Description = "The container (default: the pod's app container)", HelpName = "name" };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Pod);
        command.Options.Add(Run);
        command.Options.Add(Namespace);
    }

    /// <summary>The pod, after saying on stderr which one when the name chose one of a Deployment's pods (kubectl's note).</summary>
    public RunPod Find(ParseResult parse, string verb)
    {
        var pod = Lookup(verb, () => PodLookup.Find(PodLookup.RunDirectory(RunId(parse)), parse.GetValue(Pod)!, parse.GetValue(Namespace)));
        if (pod.Note is { } note)
        {
            Console.Error.WriteLine(note);
        }

        return pod;
    }

    /// <summary>The state directory of the run the command means (--run, else the only live one).</summary>
    public string RunDirectory(ParseResult parse, string verb) => Lookup(verb, () => PodLookup.RunDirectory(RunId(parse)));

    private string? RunId(ParseResult parse) => parse.GetValue(Run) is { } run ? RunIds.Parse(run) : null;

    private static T Lookup<T>(string verb, Func<T> lookup)
    {
        try
        {
            return lookup();
        }
        catch (PodLookupException e)
        {
            throw new UsageException($"{verb}: {e.Message}");
        }
    }
}
