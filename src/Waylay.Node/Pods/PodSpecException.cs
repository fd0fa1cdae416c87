namespace Waylay.Node.Pods;

/// <summary>A pod the runtime refuses before making anything, with every problem found, each naming its fix.</summary>
internal sealed class PodSpecException(IReadOnlyList<string> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
