namespace Waylay.Node.Images;

/// <summary>
/// What an image runs on this machine, in the image's own terms: its ENTRYPOINT (<see cref="Command"/>), its CMD
/// (<see cref="Args"/>), the environment it sets and its WORKDIR. A pod's <c>command</c> replaces the entrypoint and
/// drops the image's args; its <c>args</c> replace the image's args (Kubernetes' rule for container images).
/// </summary>
internal sealed record ImageEntry(IReadOnlyList<string> Command)
{
    public IReadOnlyList<string> Args { get; init; } = [];

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    public string? WorkingDirectory { get; init; }

    /// <summary>The argv a container of this image runs, as the container runtime builds it.</summary>
    public IReadOnlyList<string> Argv(IReadOnlyList<string>? command, IReadOnlyList<string>? args) =>
        (command is { Count: > 0 }, args is { Count: > 0 }) switch
        {
            (true, true) => [.. command!, .. args!],
            (true, false) => [.. command!],
            (false, true) => [.. Command, .. args!],
            _ => [.. Command, .. Args],
        };
}
